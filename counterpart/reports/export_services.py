"""What downloading an export writes: an entry in the audit log for the exports that carry
people's answers or concerns, so that an organisation can see who took a copy of them."""

from django.db import transaction

from counterpart.audit.services import audit_record
from counterpart.partnerships.permissions import log_organisation


@transaction.atomic
def round_responses_export(*, actor, round_, fmt):
    """Record that the person downloaded the round's responses (called once the view has
    checked that the round's results are visible to them)."""
    if round_.partnership_id is None:
        organisation, context = round_.organisation, ""
    else:
        organisation = log_organisation(actor, round_.partnership_id, round_.organisation)
        context = f"partnership:{round_.partnership_id}"
    audit_record(
        actor=actor,
        action="round_responses_export",
        obj=round_,
        organisation=organisation,
        after={"format": fmt, "privacy": round_.privacy},
        context=context,
    )


@transaction.atomic
def concerns_export(*, actor, organisation, fmt, count):
    """Record that a focal point (or an admin) downloaded the concerns they can see."""
    audit_record(
        actor=actor,
        action="concerns_export",
        obj=organisation,
        organisation=organisation,
        after={"format": fmt, "concerns": count},
    )
