"""Every write about insight: the scores kept at release, and the reflection meeting's notes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from counterpart.assessments.models import Respondent, Round
from counterpart.assessments.permissions import can_read_results, require_manager
from counterpart.assessments.selectors import results_visible
from counterpart.audit.services import audit_record
from counterpart.partnerships.models import Side
from counterpart.partnerships.permissions import log_organisation

from . import selectors
from .models import DialogueNote, RoundSummary


def summary_fields(round_, summary, asked, answered) -> dict:
    """The stored form of a round's scores (shared by release and by bulk loading)."""
    return {
        "organisation_id": round_.organisation_id,
        "partnership_id": round_.partnership_id,
        "kind": round_.kind,
        "released_at": round_.released_at,
        "conversation_mode": round_.conversation_mode,
        "elements": {
            code: {side: tally.as_list() for side, tally in sides.items() if tally.count}
            for code, sides in summary.elements.items()
        },
        "foundations": {
            code: {side: tally.as_list() for side, tally in sides.items() if tally.count}
            for code, sides in summary.foundations.items()
        },
        "asked": asked,
        "answered": answered,
        "asked_total": sum(asked.values()),
        "answered_total": sum(answered.values()),
        "largest_gap": summary.largest_gap(),
    }


def summary_store(round_) -> RoundSummary:
    """Work out and keep the scores of a round that has just been released. Called by the
    release itself, inside its transaction; a round's answers never change afterwards."""
    if not results_visible(round_):
        raise ValidationError(_("The results of this round are not available."))
    summary = selectors.summarise_round(round_)
    people = Respondent.objects.filter(round=round_, removed_at__isnull=True).aggregate(
        **{f"asked_{side}": Count("pk", filter=Q(side=side)) for side in Side.values}
    )
    counts = {side: 0 for side in Side.values}
    for side, n in round_.responses.values_list("side").annotate(n=Count("pk")):
        counts[side] = n
    fields = summary_fields(
        round_,
        summary,
        {side: people[f"asked_{side}"] for side in Side.values},
        counts,
    )
    stored, _created = RoundSummary.objects.update_or_create(round=round_, defaults=fields)
    return stored


@transaction.atomic
def dialogue_note_save(*, actor, round_: Round, topic: str, notes: str, next_steps: str):
    """Keep what the meeting said about one topic of the dialogue guide."""
    require_manager(actor, round_)
    if not can_read_results(actor, round_) or not results_visible(round_):
        raise PermissionDenied(_("The results of this round are not available."))
    if topic not in selectors.dialogue_topics(round_):
        raise ValidationError(_("This topic is not part of the round's dialogue guide."))
    notes, next_steps = notes.strip(), next_steps.strip()
    if len(notes) > 5000 or len(next_steps) > 5000:
        raise ValidationError(_("Keep each text under 5,000 characters."))
    # Created first if need be (two first saves at once meet on the unique key), then locked.
    created = DialogueNote.objects.get_or_create(round=round_, topic=topic)[1]
    note = DialogueNote.objects.select_for_update().get(round=round_, topic=topic)
    before = None if created else {"notes": note.notes, "next_steps": note.next_steps}
    note.notes, note.next_steps = notes, next_steps
    note.updated_by = actor
    note.updated_at = timezone.now()
    note.save()
    audit_record(
        actor=actor,
        action="dialogue_note_save",
        obj=round_,
        organisation=_log_of(actor, round_),
        before=before,
        after={"topic": topic, "notes": notes, "next_steps": next_steps},
    )
    return note


def _log_of(actor, round_):
    """The log the event belongs to: the organisation the person acts for in the round."""
    if round_.partnership_id is None:
        return round_.organisation
    return log_organisation(actor, round_.partnership_id, round_.organisation)
