"""Reads for the XLSX and CSV exports. Each one streams: it reads the database in batches, so
that memory does not grow with the number of rows, and its number of queries grows only with
the number of batches.

Nothing here decides who may read what: the views check that first, with the same selectors
and permissions as the pages (a round's results visible, a member of the organisation, a focal
point's standing)."""

from itertools import islice

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from counterpart.assessments.models import Answer, Privacy, Response
from counterpart.commitments.models import Commitment
from counterpart.concerns.models import ConcernEvent
from counterpart.frameworks import xlsform
from counterpart.frameworks.models import Part
from counterpart.frameworks.selectors import version_content
from counterpart.funding.selectors import flows_found
from counterpart.partnerships.models import Side

CHUNK = 500

STRUCTURAL = {xlsform.SIDE_QUESTION, xlsform.STAGE_QUESTION}


def batched(iterable, size=CHUNK):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


# --- A round's responses ----------------------------------------------------------------------


def _asked_in(round_, question) -> bool:
    """Whether the round's questionnaire asks the question of one of its sides."""
    if round_.is_pooled:
        return question.part == Part.RELATIONSHIP and question.side in ("", Side.LOCAL)
    if question.part in (Part.CHECKLIST, Part.FACT):
        return question.stage == round_.stage
    return True


def response_questions(round_) -> list:
    """The questions that take an answer in the round, in the questionnaire's order: those its
    questionnaire asks, and any other that was answered (an offline import, say)."""
    content = version_content(round_.framework_version)
    answered = set(
        Answer.objects.filter(response__round=round_)
        .order_by()
        .values_list("question_id", flat=True)
        .distinct()
    )
    return [
        q
        for q in content.questions
        if q.name not in STRUCTURAL
        and q.base_type != "note"
        and (q.pk in answered or _asked_in(round_, q))
    ]


def _ordered_responses(round_, questions):
    """The round's responses in the order the export lists them.

    Named tier: by side, then person as the results page names them. Organisation tier: by
    side, then by the answers themselves, question by question (ties by the random
    identifier), so that the order says nothing of who answered first, nor of when."""
    responses = Response.objects.filter(round=round_)
    if round_.privacy == Privacy.NAMED:
        shown = Coalesce(NullIf("respondent__name", Value("")), "respondent__email")
        return responses.order_by("side", shown, "submitted_on", "pk").values_list(
            "pk", "side", "respondent__name", "respondent__email", "submitted_on", "language"
        )
    keys = {
        f"answer_{n}": Subquery(
            Answer.objects.filter(response=OuterRef("pk"), question_id=question.pk)
            .order_by()
            .values("value")[:1]
        )
        for n, question in enumerate(questions)
    }
    return (
        responses.annotate(**keys)
        .order_by("side", *(F(key).asc(nulls_first=True) for key in keys), "pk")
        .values_list("pk", "side")
    )


def response_rows(round_, questions, chunk_size=CHUNK):
    """(response, {question id: (value, note, evidence)}) for each response of the round, where
    response is (id, side) — and, in the named tier only, the person's name and email, the
    day of submission and the language of the answers. Two queries per `chunk_size`
    responses.

    Never for an anonymous round: its answers are read only counted (`answer_counts`,
    `answer_comments`), so that no row of one response exists anywhere."""
    if round_.privacy == Privacy.ANONYMOUS or round_.is_pooled:
        raise ValueError("An anonymous round's answers are read only counted, never by response.")
    responses = _ordered_responses(round_, questions).iterator(chunk_size=chunk_size)
    for batch in batched(responses, chunk_size):
        answers = {}
        for response_id, question_id, value, note, evidence in (
            Answer.objects.filter(response_id__in=[row[0] for row in batch])
            .order_by()
            .values_list("response_id", "question_id", "value", "note", "evidence")
        ):
            answers.setdefault(response_id, {})[question_id] = (value, note, evidence)
        for row in batch:
            yield row, answers.get(row[0], {})


# --- An anonymous round's answers, counted -----------------------------------------------------


def answer_counts(round_) -> dict:
    """{question id: {stored value: how many answers hold it}}, counted by the database: no
    row of any one response is read. One query."""
    counts = {}
    for question_id, value, number in (
        Answer.objects.filter(response__round=round_)
        .exclude(value="")
        .order_by()
        .values("question_id", "value")
        .annotate(number=Count("pk"))
        .values_list("question_id", "value", "number")
    ):
        counts.setdefault(question_id, {})[value] = number
    return counts


def answer_comments(round_, text_questions) -> dict:
    """{question id: [text, …]}: the notes, the links to evidence and the answers to the
    questions in `text_questions` (ids of questions answered in words), each question's texts
    sorted by the texts themselves. Nothing else of the answer is read, so a text carries no
    date, no response and no tie to the other texts of the same person. One query."""
    text_questions = set(text_questions)
    found = {}
    for question_id, value, note, evidence in (
        Answer.objects.filter(response__round=round_)
        .filter(~Q(note="") | ~Q(evidence="") | Q(question_id__in=text_questions))
        .order_by()
        .values_list("question_id", "value", "note", "evidence")
    ):
        given = value if question_id in text_questions else ""
        texts = found.setdefault(question_id, [])
        texts.extend(text for text in (given, note, evidence) if text)
    for texts in found.values():
        texts.sort()
    return {question_id: texts for question_id, texts in found.items() if texts}


# --- Commitments ------------------------------------------------------------------------------


def commitments_of(*, partnership=None, organisation=None, chunk_size=CHUNK):
    """The commitments of one partnership, or of every partnership the organisation is a party
    to, by partnership and due date, with what the export shows of each."""
    commitments = Commitment.objects.all()
    if partnership is not None:
        commitments = commitments.filter(partnership=partnership)
    if organisation is not None:
        commitments = commitments.filter(
            partnership__in=organisation.parties.values("partnership_id")
        )
    return (
        commitments.select_related(
            "partnership", "round", "round__framework_version", "owner", "owner_organisation"
        )
        .order_by("partnership__title", "partnership_id", "due_on", "pk")
        .iterator(chunk_size=chunk_size)
    )


# --- Concerns ---------------------------------------------------------------------------------


def concern_events(concern_ids, chunk_size=CHUNK):
    """The history of those concerns as their handlers read it (internal notes included): the
    concerns in the order given, each one's steps oldest first."""
    for batch in batched(concern_ids, chunk_size):
        position = {pk: n for n, pk in enumerate(batch)}
        events = list(
            ConcernEvent.objects.filter(concern_id__in=batch)
            .select_related("author")
            .order_by("at", "pk")
        )
        events.sort(key=lambda event: position[event.concern_id])
        yield from events


# --- Funding flows ----------------------------------------------------------------------------

FLOW_COLUMNS = (
    "pk", "date", "value_date", "kind", "provider_name", "receiver_organisation_id",
    "receiver_organisation__name", "receiver_organisation__kind",
    "receiver_organisation__refugee_led", "receiver_organisation__affiliate_of_id",
    "receiver_name", "receiver_ref", "receiver_class", "amount", "currency", "country",
    "humanitarian", "flexible", "multi_year", "overhead_rate", "intermediaries",
    "partnership__title", "source", "note",
)  # fmt: skip


def flows_of(organisation, *, source="", query="", chunk_size=CHUNK):
    """The organisation's flows as its flow list finds them (by source, and by receiver or
    provider), newest first, as plain rows read in batches."""
    flows = flows_found(organisation, source=source, query=query)
    return flows.order_by("-date", "-pk").values(*FLOW_COLUMNS).iterator(chunk_size=chunk_size)
