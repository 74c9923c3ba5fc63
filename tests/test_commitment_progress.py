"""Carrying out a commitment: the owner's side posts progress with evidence (a note, a link, a
file), either side reports it done, and only the other side can confirm it kept or dispute it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.commitments import services
from counterpart.commitments.models import CommitmentState, Update
from counterpart.commitments.selectors import status_of
from counterpart.notifications.models import Notification

from .conftest import agreed_commitment, released_round, sending


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def commitment(world):
    round_ = released_round(world, {"international": [{}], "local": [{}]})
    return agreed_commitment(world, round_)


def test_the_owner_side_posts_progress_with_a_file_that_both_sides_can_download(world, commitment):
    client = world.client_for(world.intl_editor)
    upload = SimpleUploadedFile("revision-notes.pdf", b"%PDF-1.4 notes", "application/pdf")
    with sending():
        response = client.post(
            reverse("commitment_report", args=[commitment.pk]),
            {"note": "First revision shared.", "link": "https://example.org/rev1", "file": upload},
        )
    assert response.status_code == 302
    update = Update.objects.get()
    assert update.kind == "progress"
    assert update.file_name == "revision-notes.pdf"
    assert "revision-notes" not in update.file.name  # stored under a random name
    assert Notification.objects.filter(kind="commitment_update", user=world.local_admin).exists()
    page = world.client_for(world.local_viewer).get(
        reverse("commitment_detail", args=[commitment.pk])
    )
    assert "First revision shared." in page.content.decode()
    download = world.client_for(world.local_viewer).get(
        reverse("commitment_evidence", args=[update.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 notes"
    outsider = world.client_for(world.outsider).get(
        reverse("commitment_evidence", args=[update.pk])
    )
    assert outsider.status_code == 404


def test_progress_comes_from_the_owner_side_only(world, commitment):
    response = world.client_for(world.local_editor).post(
        reverse("commitment_report", args=[commitment.pk]), {"note": "We did it for them."}
    )
    assert response.status_code == 403
    assert not Update.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Write a note, give a link or attach a file."),
        ({"link": "not a link at all"}, "Enter a valid URL."),
        (
            {"file": SimpleUploadedFile("run-me.exe", b"MZ", "application/octet-stream")},
            "Send a document, spreadsheet, PDF or picture",
        ),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_stored(world, commitment, data, message):
    response = world.client_for(world.intl_editor).post(
        reverse("commitment_report", args=[commitment.pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Update.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="commitment_report").exists()


def test_an_oversized_file_is_refused(world, commitment, settings):
    big = SimpleUploadedFile("big.pdf", b"0" * (services.MAX_EVIDENCE_BYTES + 1))
    response = world.client_for(world.intl_editor).post(
        reverse("commitment_report", args=[commitment.pk]), {"note": "x", "file": big}
    )
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()
    assert not Update.objects.exists()


def test_reported_done_then_confirmed_by_the_other_side_counts_as_kept(world, commitment):
    with sending():
        services.commitment_report(
            actor=world.intl_editor, commitment=commitment, done=True, note="All shared."
        )
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DONE_REPORTED
    assert Notification.objects.filter(kind="commitment_done", user=world.local_editor).exists()
    # The reporting side cannot confirm its own report.
    response = world.client_for(world.intl_admin).post(
        reverse("commitment_confirm", args=[commitment.pk])
    )
    assert response.status_code == 403
    page = world.client_for(world.local_editor).get(
        reverse("commitment_detail", args=[commitment.pk])
    )
    assert "Was it done?" in page.content.decode()
    with sending():
        response = world.client_for(world.local_editor).post(
            reverse("commitment_confirm", args=[commitment.pk]), {"note": "Seen them all."}
        )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.KEPT
    assert status_of(commitment) == "kept"
    assert list(commitment.updates.values_list("kind", flat=True)) == ["done", "confirmed"]
    assert AuditEvent.objects.filter(action="commitment_confirm").exists()


def test_a_disputed_report_puts_it_back_in_progress_with_the_reason(world, commitment):
    with sending():
        services.commitment_report(
            actor=world.local_editor, commitment=commitment, done=True, note="Looks done."
        )
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("commitment_dispute", args=[commitment.pk]), {"note": ""})
    assert response.status_code == 400
    with sending():
        client.post(
            reverse("commitment_dispute", args=[commitment.pk]),
            {"note": "Two revisions were never shared."},
        )
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.ACTIVE
    note = Notification.objects.get(kind="commitment_disputed", user=world.local_editor)
    assert "Two revisions were never shared." in str(note)


def test_done_after_the_due_date_counts_as_kept_late(world, commitment):
    late = commitment.due_at + datetime.timedelta(hours=1)
    services.commitment_report(
        actor=world.intl_editor, commitment=commitment, done=True, note="Done.", now=late
    )
    services.commitment_confirm(actor=world.local_editor, commitment=commitment, now=late)
    commitment.refresh_from_db()
    assert commitment.kept_late
    assert status_of(commitment, late) == "kept_late"


def test_viewers_cannot_report(world, commitment):
    response = world.client_for(world.intl_viewer).post(
        reverse("commitment_report", args=[commitment.pk]), {"note": "x", "done": "on"}
    )
    assert response.status_code == 403
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.ACTIVE


def test_a_note_on_several_lines_reaches_the_other_side_by_email(world, commitment):
    from django.core import mail

    services.commitment_report(actor=world.intl_editor, commitment=commitment, done=True, note="x")
    mail.outbox.clear()
    with sending():
        response = world.client_for(world.local_editor).post(
            reverse("commitment_dispute", args=[commitment.pk]),
            {"note": "Missing:\r\nthe signed notes"},
        )
    assert response.status_code == 302
    assert mail.outbox, "the email was sent"
    assert all("\n" not in m.subject and "\r" not in m.subject for m in mail.outbox)
