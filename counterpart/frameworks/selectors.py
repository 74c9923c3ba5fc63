"""Reads about frameworks, and the outline of a version in one language.

Anyone may read the built-in framework. An organisation's own frameworks are visible to its
members and to the members of the organisations it is in partnership with, who answer them."""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.organisations.models import Membership
from counterpart.partnerships.models import Party, Stage

from . import xlsform
from .models import Framework, FrameworkVersion, Part


def _organisation_ids(user):
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def _visible_owner_ids(user):
    own = _organisation_ids(user)
    partners = Party.objects.filter(partnership__parties__organisation_id__in=own).values_list(
        "organisation_id", flat=True
    )
    return set(own) | set(partners)


def _visible(user):
    return Q(organisation__isnull=True) | Q(organisation_id__in=_visible_owner_ids(user))


def frameworks_for_user(user):
    return list(
        Framework.objects.filter(_visible(user))
        .select_related("organisation")
        .annotate(version_count=Count("versions"), latest_number=Max("versions__number"))
        .order_by("organisation__name", "name")
    )


def framework_for_user(user, framework_id) -> Framework:
    framework = (
        Framework.objects.filter(_visible(user), pk=framework_id)
        .select_related("organisation")
        .first()
    )
    if framework is None:
        raise Http404(_("This framework does not exist or is not shared with you."))
    return framework


def versions_of(framework):
    return list(framework.versions.select_related("created_by").defer("source"))


def versions_for_user(user):
    """Every framework version the person may read: built-in ones, their organisations' and
    their partners' (a queryset, for paging)."""
    return (
        FrameworkVersion.objects.filter(
            Q(framework__organisation__isnull=True)
            | Q(framework__organisation_id__in=_visible_owner_ids(user))
        )
        .select_related("framework", "framework__organisation")
        .defer("source")
        .order_by("framework__name", "-number", "pk")
    )


def version_for_user(user, version_id) -> FrameworkVersion:
    version = (
        FrameworkVersion.objects.filter(pk=version_id)
        .filter(
            Q(framework__organisation__isnull=True)
            | Q(framework__organisation_id__in=_visible_owner_ids(user))
        )
        .select_related("framework", "framework__organisation", "created_by")
        .defer("source")
        .first()
    )
    if version is None:
        raise Http404(_("This framework version does not exist or is not shared with you."))
    return version


def frameworks_of(organisations):
    """The frameworks these organisations own: those they may add a version to."""
    return list(
        Framework.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


# --- The version as plain data, for export and for reading --------------------------------


def parsed_from_version(version) -> xlsform.ParsedFramework:
    """The stored version in the reader's terms, so that it can be written back as XLSForm."""
    sections = list(version.sections.all())
    questions = list(version.questions.select_related("section"))
    groups = [
        xlsform.Group(
            number=section.position,
            name=section.name,
            part=section.kind,
            code=section.code,
            texts={"label": section.title, "hint": section.explanation},
            relevant=section.relevant,
        )
        for section in sections
    ]
    rows = [
        xlsform.Row(
            number=question.position,
            type=question.type,
            name=question.name,
            texts={
                key: value
                for key, value in (
                    ("label", question.label),
                    ("hint", question.hint),
                    ("prompt", question.prompt),
                    ("constraint_message", question.constraint_message),
                )
                if value
            },
            relevant=question.relevant,
            constraint=question.constraint,
            required=question.required,
            part=question.part,
            element=question.element,
            side=question.side,
            pair=question.pair,
            foundations=list(question.foundations),
            stage=question.stage,
            section=question.section.name if question.section else "",
        )
        for question in questions
    ]
    return xlsform.ParsedFramework(
        title=version.title,
        form_id=version.framework.slug,
        version=str(version.number),
        languages=[tuple(language) for language in version.languages],
        default_language=version.default_language,
        groups=groups,
        rows=rows,
        choices=[
            (choice.list_name, choice.value, choice.label) for choice in version.choices.all()
        ],
    )


@dataclass(frozen=True)
class VersionContent:
    choices: tuple
    sections: tuple
    questions: tuple

    @property
    def questions_by_name(self):
        return {q.name: q for q in self.questions}


_CONTENT = OrderedDict()
_CONTENT_SIZE = 16
_CONTENT_LOCK = threading.Lock()


def version_content(version) -> VersionContent:
    """The choices, sections and questions of a version, read once per process: a version
    never changes once stored, so every respondent page can reuse them. The key includes the
    version's hash and time, so that a new version under a reused id is never mistaken."""
    key = (version.pk, version.source_sha256, version.created_at)
    with _CONTENT_LOCK:
        content = _CONTENT.get(key)
        if content is not None:
            _CONTENT.move_to_end(key)
            return content
    content = VersionContent(
        tuple(version.choices.all()),
        tuple(version.sections.all()),
        tuple(version.questions.all()),
    )
    with _CONTENT_LOCK:
        _CONTENT[key] = content
        while len(_CONTENT) > _CONTENT_SIZE:
            _CONTENT.popitem(last=False)
    return content


def content_language(version, requested, interface_language):
    codes = version.language_codes
    for code in (requested, interface_language, (interface_language or "")[:2]):
        if code and code in codes:
            return code
    return version.default_language if version.default_language in codes else codes[0]


def language_names(version):
    """(code, name) of each language of a version, named in that language when Django knows
    it, so that a reader finds their own language without reading another."""
    from django.conf.locale import LANG_INFO

    return [
        (code, LANG_INFO.get(code, {}).get("name_local") or name)
        for code, name in version.languages
    ]


def pick(texts, language, default):
    """The text in the language, else the default language, else any."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(default) or next(iter(texts.values()))


@dataclass
class PairView:
    code: str
    international: str
    local: str
    prompt: str
    foundations: list


@dataclass
class ElementView:
    code: str
    title: str
    explanation: str
    pairs: list = field(default_factory=list)
    others: list = field(default_factory=list)


@dataclass
class StageView:
    code: str
    title: str
    explanation: str
    practices: list = field(default_factory=list)
    facts: list = field(default_factory=list)


@dataclass
class Outline:
    language: str
    direction: str
    introduction: list
    elements: list
    foundations: list
    stages: list
    scales: dict
    other_questions: list
    counts: dict


RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv"}


def text_direction(language):
    return "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"


def choice_labels(choices, language, default):
    """{list name: [(value, label)]} in the reader's language, in the file's order."""
    lists = {}
    for choice in choices:
        lists.setdefault(choice.list_name, []).append(
            (choice.value, pick(choice.label, language, default))
        )
    return lists


def version_outline(version, language) -> Outline:
    """Everything a reader needs to see of a version, in one language, in four queries."""
    default = version.default_language
    sections = list(version.sections.all())
    questions = list(version.questions.all())
    choices = list(version.choices.all())

    def text(texts):
        return pick(texts, language, default)

    lists = choice_labels(choices, language, default)
    foundation_names = dict(lists.get("foundation", []))
    sections_by_id = {s.pk: s for s in sections}
    element_sections = [s for s in sections if s.kind == "element"]
    elements = {
        s.code: ElementView(s.code, text(s.title), text(s.explanation)) for s in element_sections
    }
    element_titles = {code: view.title for code, view in elements.items()}
    stage_sections = {s.code: s for s in sections if s.kind == "stage"}
    stage_labels = dict(lists.get("stage", []))
    stages = {
        code: StageView(
            code,
            stage_labels.get(code) or str(label),
            text(stage_sections[code].explanation) if code in stage_sections else "",
        )
        for code, label in Stage.choices
    }
    by_foundation = {code: [] for code in foundation_names}
    pairs = {}
    introduction, other_questions = [], []
    structural = {xlsform.SIDE_QUESTION, xlsform.STAGE_QUESTION}
    for question in questions:
        if question.part == Part.RELATIONSHIP:
            pair = pairs.get(question.pair)
            if pair is None:
                pair = PairView(
                    question.pair,
                    "",
                    "",
                    text(question.prompt),
                    [(f, foundation_names.get(f, f)) for f in question.foundations],
                )
                pairs[question.pair] = pair
                elements[question.element].pairs.append(pair)
                for code in question.foundations:
                    by_foundation.setdefault(code, []).append(
                        (element_titles.get(question.element, ""), pair)
                    )
            setattr(pair, question.side, text(question.label))
            if not pair.prompt:
                pair.prompt = text(question.prompt)
        elif question.part in (Part.CHECKLIST, Part.FACT):
            item = {
                "name": question.name,
                "text": text(question.label),
                "hint": text(question.hint),
                "element": element_titles.get(question.element, ""),
                "side": question.side,
                "answer": _answer_kind(question, lists),
            }
            target = stages.get(question.stage)
            if target is not None:
                (target.practices if question.part == Part.CHECKLIST else target.facts).append(item)
        elif question.base_type == "note" and question.section_id is None:
            introduction.append(text(question.label))
        elif question.name not in structural:
            entry = {
                "text": text(question.label),
                "hint": text(question.hint),
                "side": question.side,
                "answer": _answer_kind(question, lists),
            }
            section = sections_by_id.get(question.section_id)
            if section is not None and section.kind == "element" and section.code in elements:
                elements[section.code].others.append(entry)
            else:
                other_questions.append(entry)
    relationship_lists = {q.list_name for q in questions if q.part == Part.RELATIONSHIP}
    practice_lists = {q.list_name for q in questions if q.part == Part.CHECKLIST}
    return Outline(
        language=language,
        direction=text_direction(language),
        introduction=introduction,
        elements=list(elements.values()),
        foundations=[
            (code, foundation_names.get(code, code), entries)
            for code, entries in by_foundation.items()
        ],
        stages=[stage for stage in stages.values() if stage.practices or stage.facts],
        scales={
            "relationship": [
                label for name in sorted(relationship_lists) for _v, label in lists.get(name, [])
            ],
            "practice": [
                label for name in sorted(practice_lists) for _v, label in lists.get(name, [])
            ],
        },
        other_questions=other_questions,
        counts={
            "elements": len(elements),
            "pairs": len(pairs),
            "practices": sum(len(s.practices) for s in stages.values()),
            "facts": sum(len(s.facts) for s in stages.values()),
        },
    )


def _answer_kind(question, lists):
    if question.base_type in ("select_one", "select_multiple"):
        labels = [label for _value, label in lists.get(question.list_name, [])]
        if question.base_type == "select_multiple":
            return _("Choose any of: %(choices)s") % {"choices": " · ".join(labels)}
        return _("Choose one of: %(choices)s") % {"choices": " · ".join(labels)}
    return {
        "integer": _("A whole number"),
        "decimal": _("A number"),
        "text": _("Text"),
        "date": _("A date"),
        "note": "",
    }.get(question.base_type, "")
