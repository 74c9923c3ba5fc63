"""What each kind of notification says. Values are filled in when it is read or sent."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "partnership_proposed": _(
        "%(organisation)s proposes that %(partner)s join the partnership “%(partnership)s”. "
        "Your organisation's admins can accept or decline."
    ),
    "party_proposed_to_side": _(
        "%(organisation)s proposes to add %(partner)s to the partnership “%(partnership)s”. "
        "It joins only if your side agrees."
    ),
    "partnership_accepted": _("%(partner)s is now part of the partnership “%(partnership)s”."),
    "partnership_declined": _(
        "The proposal that %(partner)s join the partnership “%(partnership)s” was declined."
    ),
    "partnership_left": _("%(partner)s has left the partnership “%(partnership)s”."),
    "partner_feedback_asked": _(
        "%(organisation)s asks your organisation's members for anonymous feedback (“%(round)s”). "
        "As an admin, you may add colleagues who work with them."
    ),
    # Feedback convened by partners. The funder is never told which partner convened it.
    "convened_feedback_started": _(
        "Your partners convene anonymous feedback about your organisation (“%(round)s”). You "
        "will see results only once people from at least %(threshold)s partner organisations "
        "have answered, and you cannot add or remove anyone."
    ),
    "convened_feedback_released": _(
        "The results of “%(round)s”, feedback your partners convened about your organisation, "
        "can now be read."
    ),
    "convened_feedback_invited": _(
        "%(convener)s invites your organisation to give anonymous feedback about "
        "%(organisation)s, together with other partners (“%(round)s”). Your organisation's "
        "admins decide whether it takes part."
    ),
    "commitment_proposed": _("%(side)s proposes a commitment in “%(partnership)s”: %(title)s"),
    "commitment_amended": _(
        "%(side)s proposes to change a commitment in “%(partnership)s”: %(title)s"
    ),
    "commitment_accepted": _("The commitment “%(title)s” is agreed by both sides."),
    "commitment_declined": _("%(side)s did not accept the proposal “%(title)s”."),
    "commitment_update": _("New progress on the commitment “%(title)s”."),
    "commitment_done": _("“%(title)s” is reported done. Please confirm or dispute it."),
    "commitment_confirmed": _("“%(title)s” is confirmed done. It counts as kept."),
    "commitment_disputed": _("“%(title)s” was not confirmed as done: %(reason)s"),
    "commitment_due_soon": _("The commitment “%(title)s” is due on %(due)s."),
    "commitment_overdue": _("The commitment “%(title)s” was due on %(due)s and is overdue."),
    "concern_received": _("A new concern (%(category)s) was raised with %(organisation)s."),
    "concern_escalated": _(
        "A concern (%(category)s, reference %(reference)s) to %(organisation)s is overdue: "
        "%(missed)s."
    ),
    "concern_updated": _("There is news about the concern you raised (reference %(reference)s)."),
    "concern_information": _(
        "The person who raised the concern %(reference)s added information to it."
    ),
    "concern_focal_point_named": _(
        "%(person)s is now a focal point for the concerns raised with %(organisation)s. "
        "Changed by %(actor)s on %(at)s."
    ),
    "concern_focal_point_removed": _(
        "%(person)s is no longer a focal point for the concerns raised with %(organisation)s. "
        "Changed by %(actor)s on %(at)s."
    ),
    # A side changed its people after the round opened. Only a named round names them.
    "respondent_added": _("%(side)s asked %(person)s to answer the round “%(round)s”."),
    "respondent_added_unnamed": _(
        "%(side)s asked one more of its people to answer the round “%(round)s”."
    ),
    "respondent_removed": _("%(side)s no longer asks %(person)s to answer the round “%(round)s”."),
    "respondent_removed_unnamed": _(
        "%(side)s no longer asks one of its people to answer the round “%(round)s”."
    ),
}


def _readable(params: dict) -> dict:
    """Codes and dates kept in a notification, written out in the reader's language."""
    from counterpart.concerns.models import Category, Deadline
    from counterpart.partnerships.models import Side

    labels = {
        "side": dict(Side.choices),
        "category": dict(Category.choices),
        "missed": dict(Deadline.choices),
    }
    readable = {}
    for name, value in params.items():
        if name in labels:
            value = labels[name].get(value, value)
        elif name == "due":
            value = date_format(date.fromisoformat(value), "DATE_FORMAT")
        elif name == "at":
            # An instant, kept in UTC: shown in the reader's time zone.
            value = date_format(
                timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT"
            )
        readable[name] = value
    return readable


def message_for(kind: str, params: dict) -> str:
    template = MESSAGES.get(kind)
    if template is None:
        return kind
    try:
        return str(template) % _readable(params)
    except (KeyError, TypeError, ValueError):
        return str(template)
