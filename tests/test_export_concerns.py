"""Concerns as XLSX and CSV, for those who handle them: exactly the concerns their list shows
(safeguarding and fraud for the focal points only), what each concern's page shows, and the
history with its internal notes; never the hash behind an anonymous raiser's private link."""

import datetime
import zoneinfo

import pytest
from django.http import FileResponse, StreamingHttpResponse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import Concern
from counterpart.concerns.services import concern_acknowledge, concern_note
from counterpart.organisations.models import Role

from .conftest import add_member, make_user, open_intake, raise_anonymously, raise_concern, sending
from .export_reading import as_dicts, body, export_url, read_csv, read_xlsx


@pytest.fixture
def focal(world):
    """A viewer of the international organisation named as its focal point."""
    membership = add_member(world.intl, make_user("focal@example.org", "Fatima Focal"), Role.VIEWER)
    open_intake(world, focal_points=[membership])
    return membership.user


def _export(world, user, fmt="csv", query=""):
    client = world.client_for(user)
    return client.get(export_url("export_concerns", fmt, query, organisation_id=world.intl.pk))


def test_a_focal_point_downloads_what_the_concern_pages_show(world, focal):
    named = raise_concern(world, category="funding", reply_by="phone", contact="+254 700 000000")
    unnamed, secret = raise_anonymously(world, category="respect")
    with sending():
        concern_acknowledge(actor=focal, concern=named, message="We are looking into it.")
    concern_note(actor=focal, concern=named, message="Ask finance about the transport line.")
    response = _export(world, focal)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="counterpart-global-aid-partners-concerns.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == [
        "Reference",
        "Category code",
        "Category",
        "Partnership",
        "Raised by",
        "Email of the person who raised it",
        "Raised without a name",
        "Reply wanted code",
        "Reply wanted",
        "Contact for the reply",
        "Received",
        "Time zone of the deadlines",
        "To acknowledge by",
        "To respond by",
        "Acknowledged",
        "Responded",
        "Resolved",
        "Status code",
        "Status",
        "Overdue code",
        "Overdue",
        "What happened",
    ]
    by_reference = {row["Reference"]: row for row in as_dicts(rows)}
    assert set(by_reference) == {named.reference, unnamed.reference}
    first = by_reference[named.reference]
    assert (first["Category code"], first["Category"]) == ("funding", "Funding")
    assert first["Partnership"] == "Youth protection in the camp"
    assert first["Raised by"] == "Local Editor"
    assert first["Email of the person who raised it"] == "local-editor@example.org"
    assert first["Raised without a name"] == "false"
    assert (first["Reply wanted code"], first["Reply wanted"]) == ("phone", "By phone")
    assert first["Contact for the reply"] == "'+254 700 000000"  # neutralised: starts with +
    assert first["To acknowledge by"] == named.acknowledge_by.isoformat()
    assert first["Acknowledged"] != "" and first["Responded"] == ""
    assert (first["Status code"], first["Status"]) == ("acknowledged", "Acknowledged")
    assert first["What happened"] == "Our budget line for transport was cut without asking us."
    second = by_reference[unnamed.reference]
    assert second["Raised by"] == "" and second["Email of the person who raised it"] == ""
    assert second["Raised without a name"] == "true"
    assert second["Partnership"] == ""
    assert second["What happened"] == "We were told not to speak in the coordination meeting."
    # Nothing of the private link, nor of how the anonymous raiser could be found.
    data = body(_export(world, focal, "xlsx")) + body(_export(world, focal))
    unnamed.refresh_from_db()
    assert unnamed.secret_hash.encode() not in data and secret.encode() not in data
    assert unnamed.secret_hash not in str(read_xlsx(_export(world, focal, "xlsx")))


def test_the_workbook_adds_the_history_with_internal_notes(world, focal):
    named = raise_concern(world)
    concern_note(actor=focal, concern=named, message="Ask finance about the transport line.")
    response = _export(world, focal, "xlsx")
    assert isinstance(response, FileResponse)
    sheets = read_xlsx(response)
    assert list(sheets) == ["Concerns", "History"]
    history = as_dicts(sheets["History"])
    assert [(h["Reference"], h["Step code"]) for h in history] == [
        (named.reference, "received"),
        (named.reference, "note"),
    ]
    note = history[1]
    assert note["Step"] == "Internal note" and note["By"] == "Fatima Focal"
    assert note["Internal note"] is True
    assert note["Message"] == "Ask finance about the transport line."
    assert history[0]["Internal note"] is False


def test_an_admin_who_is_no_focal_point_gets_no_safeguarding_or_fraud_concern(world, focal):
    respect = raise_concern(world, category="respect")
    safeguarding = raise_concern(world, category="safeguarding")
    fraud = raise_concern(world, category="fraud")
    admin = {r["Reference"] for r in as_dicts(read_csv(_export(world, world.intl_admin)))}
    assert admin == {respect.reference}
    focal_rows = as_dicts(read_csv(_export(world, focal)))
    assert {r["Reference"] for r in focal_rows} == {
        respect.reference,
        safeguarding.reference,
        fraud.reference,
    }
    history = as_dicts(read_xlsx(_export(world, world.intl_admin, "xlsx"))["History"])
    assert {h["Reference"] for h in history} == {respect.reference}


def test_nobody_else_downloads_concerns(world, focal):
    raise_concern(world)
    for user in (world.intl_viewer, world.intl_editor):
        assert _export(world, user).status_code == 403
    for user in (world.local_admin, world.local_editor, world.outsider):
        assert _export(world, user, "xlsx").status_code == 404


def test_each_download_is_in_the_audit_log(world, focal):
    raise_concern(world)
    raise_concern(world, category="safeguarding")
    _export(world, focal, "xlsx")
    event = AuditEvent.objects.filter(action="concerns_export").latest("id")
    assert event.actor == focal and event.organisation == world.intl
    assert event.after == {"format": "xlsx", "concerns": 2}
    assert Concern.objects.count() == 2


def test_labels_in_french(world, focal):
    raise_concern(world)
    (row,) = as_dicts(read_csv(_export(world, focal, query="?lang=fr")))
    assert row["Statut"] == "Reçue"
    assert row["Code de la catégorie"] == "funding"
    assert row["Partenariat"] == "Youth protection in the camp"


def test_times_are_in_the_readers_time_zone(world, focal):
    concern = raise_concern(world)
    focal.timezone = "Africa/Nairobi"
    focal.save()
    (row,) = as_dicts(read_csv(_export(world, focal)))
    nairobi = concern.received_at.astimezone(zoneinfo.ZoneInfo("Africa/Nairobi"))
    assert row["Received"] == nairobi.isoformat(timespec="minutes")
    assert row["Received"].endswith("+03:00")
    sheet = read_xlsx(_export(world, focal, "xlsx"))["Concerns"]
    received = sheet[1][sheet[0].index("Received")]
    local = nairobi.replace(tzinfo=None)
    assert abs(received - local) < datetime.timedelta(seconds=1)
