"""The round's questionnaire for one side, page by page, and turning a draft into answers."""

import datetime
import decimal

from counterpart.commitments.followup import add_follow_up_block
from counterpart.frameworks.questionnaire import QuestionnaireForm
from counterpart.frameworks.selectors import version_content


def questionnaire_form(round_, side, language, data=None, initial=None, page=None, follow_ups=True):
    """The questions this side answers in this round: the side's half of each pair and the
    stage's checklist and facts; in a partner feedback round, the relationship questions only
    (facts about one partner's funding would tell who answered). With `follow_ups` false, the
    framework's questions only, without the page about earlier commitments."""
    form = QuestionnaireForm(
        data,
        initial=initial,
        version=round_.framework_version,
        side=side,
        stage=round_.stage,
        language=language,
        relationship_only=round_.is_pooled,
    )
    if follow_ups and not round_.is_pooled:
        add_follow_up_block(form, round_)
    if page is not None:
        form.keep_only(page)
    return form


def to_draft(value):
    """A cleaned value as the draft keeps it (JSON), in the form a form field reads back."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | int):
        return str(value)
    return value


def answers_from_draft(round_, side, answers):
    """(question, value, note, evidence) for each question the draft answers, checked again by
    the form; a value the form would refuse is left out rather than stored."""
    language = round_.framework_version.default_language
    form = questionnaire_form(round_, side, language, answers, follow_ups=False)
    form.is_valid()
    cleaned = form.cleaned_data
    questions = version_content(round_.framework_version).questions_by_name
    rows = []
    for name, question in questions.items():
        value = cleaned.get(name)
        note = cleaned.get(f"{name}_note") or ""
        evidence = cleaned.get(f"{name}_evidence") or ""
        if isinstance(value, list | tuple):
            value = " ".join(value)
        elif value is None:
            value = ""
        else:
            value = to_draft(value)
        if value or note or evidence:
            rows.append((question, value, note, evidence))
    return rows
