"""The questionnaire of a version as a form: what one side answers at one stage, in one
language. It reads and checks answers; storing them belongs to assessment rounds."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import xlsform
from .models import Part
from .selectors import choice_labels, pick, version_content

_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")


def bounds(constraint):
    """Minimum and maximum from the simple constraints the framework uses, such as
    `. >= 0 and . <= 100`. Other expressions are left to offline forms."""
    minimum = maximum = None
    for part in (constraint or "").split(" and "):
        match = _BOUND.match(part.strip())
        if not match:
            continue
        operator, number = match.groups()
        value = Decimal(number)
        if operator.startswith(">"):
            minimum = value
        else:
            maximum = value
    return minimum, maximum


@dataclass
class Block:
    """A heading and the fields under it: one element, or the stage checklist."""

    title: str
    explanation: str
    fields: list = field(default_factory=list)


class QuestionnaireForm(forms.Form):
    def __init__(self, *args, version, side, stage, language, relationship_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        default = version.default_language
        self.blocks = []
        content = version_content(version)
        choices = choice_labels(content.choices, language, default)
        sections = {s.pk: s for s in content.sections}
        blocks = {}
        structural = {xlsform.SIDE_QUESTION, xlsform.STAGE_QUESTION}
        for question in content.questions:
            if question.name in structural or question.base_type == "note":
                continue
            if question.side and question.side != side:
                continue
            if relationship_only and question.part != Part.RELATIONSHIP:
                continue
            if question.part in (Part.CHECKLIST, Part.FACT) and question.stage != stage:
                continue
            section = sections.get(question.section_id)
            if section is not None and section.kind == "stage" and section.code != stage:
                continue
            key = section.pk if section else None
            if key not in blocks:
                blocks[key] = Block(
                    pick(section.title, language, default) if section else "",
                    pick(section.explanation, language, default) if section else "",
                )
                self.blocks.append(blocks[key])
            for name, form_field in self._fields_for(question, choices, language, default):
                self.fields[name] = form_field
                blocks[key].fields.append(name)

    def keep_only(self, index):
        """Keep the fields of one block (a page of the questionnaire) and drop the others."""
        kept = set(self.blocks[index].fields)
        self.fields = {name: f for name, f in self.fields.items() if name in kept}
        self.blocks = [self.blocks[index]]

    def sections(self):
        """Each block with its bound fields, for the template."""
        return [(block, [self[name] for name in block.fields]) for block in self.blocks]

    def _fields_for(self, question, choices, language, default):
        label = pick(question.label, language, default)
        hint = pick(question.hint, language, default)
        message = pick(question.constraint_message, language, default)
        options = choices.get(question.list_name, [])
        kind = question.base_type
        if kind == "select_one":
            yield (
                question.name,
                forms.ChoiceField(
                    label=label,
                    help_text=hint,
                    choices=options,
                    required=False,
                    widget=forms.RadioSelect,
                ),
            )
        elif kind == "select_multiple":
            yield (
                question.name,
                forms.MultipleChoiceField(
                    label=label,
                    help_text=hint,
                    choices=options,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                ),
            )
        elif kind in ("integer", "decimal"):
            minimum, maximum = bounds(question.constraint)
            field_class = forms.IntegerField if kind == "integer" else forms.DecimalField
            number = field_class(label=label, help_text=hint, required=False)
            number.validators.append(_range(minimum, maximum, message))
            if minimum is not None:
                number.widget.attrs["min"] = str(minimum)
            if maximum is not None:
                number.widget.attrs["max"] = str(maximum)
            yield question.name, number
        elif kind == "date":
            yield (
                question.name,
                forms.DateField(
                    label=label,
                    help_text=hint,
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                ),
            )
        else:
            yield (
                question.name,
                forms.CharField(
                    label=label,
                    help_text=hint,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                ),
            )
        if question.part == Part.CHECKLIST:
            yield (
                f"{question.name}_note",
                forms.CharField(
                    label=_("Note (optional)"),
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                ),
            )
            yield (
                f"{question.name}_evidence",
                forms.URLField(
                    label=_("Link to evidence (optional)"),
                    required=False,
                    max_length=500,
                    assume_scheme="https",
                ),
            )


def _range(minimum, maximum, message):
    def check(value):
        if value is None:
            return
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise ValidationError(message or _("This number is out of range."))

    return check
