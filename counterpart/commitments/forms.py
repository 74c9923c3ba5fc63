"""Forms for proposing, changing and carrying out commitments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from counterpart.common.forms import DateInput
from counterpart.common.validators import single_line
from counterpart.frameworks.selectors import version_outline
from counterpart.partnerships.models import Side

from .services import MAX_EVIDENCE_BYTES, owner_choices


def topic_choices(round_, language):
    """The framework's elements and their questions, grouped, for “which it answers”."""
    outline = version_outline(round_.framework_version, language)
    choices = [("", _("Not tied to one element"))]
    for element in outline.elements:
        group = [(element.code, _("%(element)s, as a whole") % {"element": element.title})]
        group += [
            (f"{element.code}:{pair.code}", pair.international or pair.local)
            for pair in element.pairs
        ]
        choices.append((element.title, group))
    return choices


class TermsForm(forms.Form):
    title = forms.CharField(
        label=_("What will change"),
        max_length=300,
        validators=[single_line],
        help_text=_("One sentence both sides can check, e.g. “Partners see budget revisions "
                    "before they are sent to the donor.”"),
    )  # fmt: skip
    topic = forms.ChoiceField(label=_("Which element or question it answers"), required=False)
    owner_side = forms.ChoiceField(label=_("Side that owns it"), choices=Side.choices)
    owner = forms.ChoiceField(label=_("Person responsible"))
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())
    evidence_expected = forms.CharField(
        label=_("What will show it was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, round_, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices(round_, language)
        people = []
        for side, label in Side.choices:
            group = [
                (str(user.pk), f"{user} ({organisation})")
                for user, organisation in owner_choices(round_.partnership_id, side)
            ]
            people.append((label, group))
        self.fields["owner"].choices = people

    def terms(self):
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        element, _sep, question = (data.get("topic") or "").partition(":")
        return {
            "title": data["title"],
            "element": element,
            "question": question,
            "owner_side": data["owner_side"],
            "owner": int(data["owner"]),
            "due_on": data["due_on"],
            "evidence_expected": data["evidence_expected"],
        }

    @staticmethod
    def initial_from(commitment):
        topic = commitment.element
        if commitment.question:
            topic = f"{commitment.element}:{commitment.question}"
        return {
            "title": commitment.title,
            "topic": topic,
            "owner_side": commitment.owner_side,
            "owner": str(commitment.owner_id),
            "due_on": commitment.due_on,
            "evidence_expected": commitment.evidence_expected,
        }


class AmendForm(TermsForm):
    drop = forms.BooleanField(
        label=_("Propose to drop this commitment instead"),
        required=False,
        help_text=_("The other side must agree. The terms above are then ignored."),
    )
    reason = forms.CharField(
        label=_("Why the change is needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drop = self.fields["drop"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("drop")
        )
        if drop:
            for name in ("title", "topic", "owner_side", "owner", "due_on", "evidence_expected"):
                self.fields[name].required = False


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    link = forms.URLField(
        label=_("Link to evidence (optional)"), required=False, max_length=500,
        assume_scheme="https",
    )  # fmt: skip
    file = forms.FileField(label=_("File (optional)"), required=False)
    done = forms.BooleanField(
        label=_("This completes the commitment: ask the other side to confirm it"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A document, spreadsheet, PDF or picture of up to %(size)s MB."
        ) % {"size": MAX_EVIDENCE_BYTES // (1024 * 1024)}
