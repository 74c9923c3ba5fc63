"""The first page of a round that follows up earlier commitments: “What we said we would do”.

For each commitment, both sides say whether it happened and whether it made a difference. The
fields join the round's questionnaire form, so drafts, review and submit treat them like any
other page; the comment ends in `_note`, the name the questionnaire uses for optional notes."""

from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from counterpart.frameworks.questionnaire import Block

from .models import Commitment, Difference, Happened

# Every follow-up field's name starts so.
FIELD_PREFIX = "followup_"


@dataclass
class FieldNames:
    happened: str
    difference: str
    comment: str


def _names(commitment_id):
    prefix = f"{FIELD_PREFIX}{commitment_id}"
    return FieldNames(f"{prefix}_happened", f"{prefix}_difference", f"{prefix}_note")


def followed_up(round_) -> list[Commitment]:
    """The commitments the round asks about, read once per round object (a page builds its
    questionnaire form more than once)."""
    cached = getattr(round_, "_followed_up", None)
    if cached is None:
        cached = list(
            Commitment.objects.filter(follow_ups__round_id=round_.pk).order_by("due_on", "pk")
        )
        round_._followed_up = cached
    return cached


def answer_fields(round_) -> dict:
    return {c.pk: _names(c.pk) for c in followed_up(round_)}


def add_follow_up_block(form, round_) -> None:
    """Put the follow-up page first in the round's questionnaire, when there is anything to
    follow up."""
    commitments = followed_up(round_)
    if not commitments:
        return
    block = Block(
        _("What we said we would do"),
        _(
            "After the last round, both sides agreed to these changes. For each one, tell us "
            "whether it happened and whether it made a difference."
        ),
    )
    fields = {}
    for commitment in commitments:
        names = _names(commitment.pk)
        owner = commitment.get_owner_side_display()
        due = date_format(commitment.due_on, "DATE_FORMAT")
        fields[names.happened] = forms.ChoiceField(
            label=commitment.title,
            help_text=_("%(owner)s, due %(due)s. Did it happen?") % {"owner": owner, "due": due},
            choices=Happened.choices,
            required=False,
            widget=forms.RadioSelect,
        )
        fields[names.difference] = forms.ChoiceField(
            label=_("Did it make a difference?"),
            choices=Difference.choices,
            required=False,
            widget=forms.RadioSelect,
        )
        fields[names.comment] = forms.CharField(
            label=_("Comment (optional)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    block.fields = list(fields)
    form.fields = {**fields, **form.fields}
    form.blocks.insert(0, block)
