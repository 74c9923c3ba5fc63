"""Commitments as XLSX and CSV: those of one partnership, and those of every partnership an
organisation is in, with what will change, who owns it, when it is due and where it stands."""

import copy
import datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from counterpart.partnerships.models import PartyRole, Side, Stage

from .conftest import (
    agreed_commitment,
    make_partnership,
    propose_commitment,
    released_round,
)
from .export_reading import as_dicts, export_url, read_csv, read_xlsx

ANSWERS = {
    Side.INTERNATIONAL: [{"respect_advice_intl": "5"}],
    Side.LOCAL: [{"respect_advice_local": "2"}],
}


def _partnership_export(world, fmt="csv", user=None, query=""):
    client = world.client_for(user or world.local_viewer)
    url = export_url(
        "export_partnership_commitments", fmt, query, partnership_id=world.partnership.pk
    )
    return client.get(url)


def test_a_partnerships_commitments_with_codes_and_labels(world):
    round_ = released_round(world, ANSWERS)
    agreed = agreed_commitment(world, round_, days=30)
    proposed = propose_commitment(
        world,
        round_,
        title="=Translate the reporting template into Arabic",
        element="culture",
        owner_side=Side.LOCAL,
        days=60,
        by=world.local_editor,
    )
    response = _partnership_export(world)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        f'attachment; filename="counterpart-partnership-{world.partnership.pk}'
        '-youth-protection-in-the-camp-commitments.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == [
        "Commitment ID",
        "Partnership",
        "Round",
        "What will change",
        "Element code",
        "Element",
        "Question code",
        "Owner side code",
        "Owner side",
        "Owner",
        "Owner organisation",
        "Due",
        "Status code",
        "Status",
        "What will show it was done",
        "Agreed",
        "Reported done",
        "Kept",
        "Closed",
    ]
    first, second = as_dicts(rows)  # by due date
    assert first["Commitment ID"] == str(agreed.pk)
    assert first["Partnership"] == "Youth protection in the camp"
    assert first["Round"] == "Check-in 2026"
    assert (
        first["What will change"] == "Share budget revisions with the partner before sending them"
    )
    assert (first["Element code"], first["Element"]) == ("transparency", "Transparency")
    assert (first["Owner side code"], first["Owner side"]) == (
        "international",
        "International side",
    )
    assert first["Owner"] == "Intl Admin" and first["Owner organisation"] == "Global Aid Partners"
    assert first["Due"] == (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert (first["Status code"], first["Status"]) == ("active", "In progress")
    assert first["What will show it was done"] == "The partner's sign-off on each revision."
    assert first["Agreed"].startswith(timezone.localdate().isoformat())
    assert first["Kept"] == ""
    assert second["Commitment ID"] == str(proposed.pk)
    assert second["What will change"] == "'=Translate the reporting template into Arabic"
    assert (second["Element code"], second["Element"]) == ("culture", "Cultural cognizance")
    assert (second["Owner side code"], second["Owner"]) == ("local", "Local Admin")
    assert (second["Status code"], second["Status"]) == (
        "proposed",
        "Waiting for the other side to accept",
    )
    assert second["Agreed"] == ""


def test_the_workbook_and_french_labels(world):
    round_ = released_round(world, ANSWERS)
    agreed_commitment(world, round_)
    response = _partnership_export(world, "xlsx", query="?lang=fr")
    assert isinstance(response, FileResponse)
    (rows,) = read_xlsx(response).values()
    header, row = rows
    assert row[header.index("Statut")] == "En cours"
    assert row[header.index("Côté responsable")] == "Côté international"
    assert row[header.index("Élément")] == "Transparence"
    assert isinstance(row[header.index("Échéance")], datetime.datetime)


def test_an_organisations_commitments_cover_its_partnerships_and_no_others(world):
    round_ = released_round(world, ANSWERS)
    ours = agreed_commitment(world, round_)
    # The local partner is also in a partnership with another international organisation.
    second = make_partnership(
        accepted_by=world.local_admin,
        actor=world.outsider,
        organisation=world.other,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=world.local,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage=Stage.IMPLEMENTATION,
        title="Livelihoods in the camp",
        countries=["KE"],
    )
    theirs_world = copy.copy(world)
    theirs_world.intl, theirs_world.partnership = world.other, second
    theirs_world.intl_editor = theirs_world.intl_admin = world.outsider
    theirs = agreed_commitment(theirs_world, released_round(theirs_world, ANSWERS))

    def ids(user, organisation):
        url = export_url("export_organisation_commitments", "csv", organisation_id=organisation.pk)
        return [
            (r["Commitment ID"], r["Partnership"])
            for r in as_dicts(read_csv(world.client_for(user).get(url)))
        ]

    # The local partner's members see both of its partnerships, by title.
    assert ids(world.local_viewer, world.local) == [
        (str(theirs.pk), "Livelihoods in the camp"),
        (str(ours.pk), "Youth protection in the camp"),
    ]
    # Each international organisation sees its own partnership only.
    assert ids(world.intl_viewer, world.intl) == [(str(ours.pk), "Youth protection in the camp")]
    assert ids(world.outsider, world.other) == [(str(theirs.pk), "Livelihoods in the camp")]
    # Nobody downloads an organisation's commitments without being its member.
    url = export_url("export_organisation_commitments", "xlsx", organisation_id=world.intl.pk)
    assert world.client_for(world.outsider).get(url).status_code == 404
    assert world.client_for(world.local_admin).get(url).status_code == 404
    url = export_url("export_partnership_commitments", "csv", partnership_id=second.pk)
    assert world.client_for(world.intl_admin).get(url).status_code == 404


def test_no_commitment_gives_the_header_alone(world):
    rows = read_csv(_partnership_export(world))
    assert len(rows) == 1 and rows[0][0] == "Commitment ID"
    (sheet,) = read_xlsx(_partnership_export(world, "xlsx")).values()
    assert len(sheet) == 1
