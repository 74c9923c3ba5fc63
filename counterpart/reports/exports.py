"""What each export holds: its sheets, their header rows and their rows, built from what the
selectors read. Labels are in the language of the download and every label has its code in
the column before it, so that a file can be read by people and by programs alike.

The rows are generators: nothing is read until a writer asks for the next row."""

import datetime
import decimal
from collections import Counter

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from counterpart.assessments.models import Privacy
from counterpart.commitments.selectors import STATUS_LABELS, status_of
from counterpart.concerns.models import Category, Deadline, EventKind, ReplyBy, Status
from counterpart.frameworks.models import Part
from counterpart.frameworks.selectors import choice_labels, pick, version_content
from counterpart.funding.models import FlowKind, FlowSource, ReceiverClass
from counterpart.insights.scoring import whole
from counterpart.organisations.models import Organisation
from counterpart.partnerships.models import Side

from . import export_selectors as selectors
from .writers import Table


def filename(*parts) -> str:
    """An ASCII file name from its parts, e.g. counterpart-round-12-check-in-2026-responses."""
    words = [slugify(str(part))[:50].strip("-") for part in ("counterpart", *parts)]
    return "-".join(word for word in words if word)


def _label(choices, code):
    return str(dict(choices).get(code, code)) if code else ""


def _side(side, pooled=False):
    if not side:
        return ""
    return _("Partners") if pooled else _label(Side.choices, side)


# --- A round's responses ----------------------------------------------------------------------


def _typed(question, value):
    """A stored answer as a spreadsheet cell: numbers and dates as such, the rest as text."""
    if not value:
        return ""
    try:
        if question.base_type == "integer":
            return int(value)
        if question.base_type == "decimal":
            return decimal.Decimal(value)
        if question.base_type == "date":
            return datetime.date.fromisoformat(value)
    except (ValueError, decimal.InvalidOperation):
        pass
    return value


def _choice_text(value, options):
    return "; ".join(options.get(v, v) for v in value.split()) if value else ""


def responses_tables(round_, language) -> list[Table]:
    """One row per response, one column per question (a second column with the labels for a
    question with choices; a note and an evidence link for a practice), and a sheet that
    describes each question.

    Named tier: the person as the results page names them, the day and the language of the
    answers. Organisation tier: the side only, the rows in the order of their answers.
    Anonymous tier (partner feedback): never a row per response, only the answers counted
    (`answers_counted_table`)."""
    if round_.privacy == Privacy.ANONYMOUS or round_.is_pooled:
        return [answers_counted_table(round_, language)]
    version = round_.framework_version
    default = version.default_language
    content = version_content(version)
    lists = choice_labels(content.choices, language, default)
    questions = selectors.response_questions(round_)
    named = round_.privacy == Privacy.NAMED
    pooled = round_.is_pooled

    header = []
    if named:
        header += [_("Response ID"), _("Respondent"), _("Submitted on"), _("Language code")]
    header += [_("Side code"), _("Side")]
    for question in questions:
        header.append(question.name)
        if question.list_name:
            header.append(_("%(question)s (label)") % {"question": question.name})
        if question.part == Part.CHECKLIST:
            header += [f"{question.name}_note", f"{question.name}_evidence"]

    def rows():
        options = {q.pk: dict(lists.get(q.list_name, [])) for q in questions}
        for response, answers in selectors.response_rows(round_, questions):
            row = []
            if named:
                pk, side, name, email, day, answered_in = response
                row += [str(pk), name or email or "", day, answered_in]
            else:
                side = response[1]
            row += [side, _side(side, pooled)]
            for question in questions:
                value, note, evidence = answers.get(question.pk, ("", "", ""))
                row.append(_typed(question, value))
                if question.list_name:
                    row.append(_choice_text(value, options[question.pk]))
                if question.part == Part.CHECKLIST:
                    row += [note, evidence]
            yield row

    return [
        Table(_("Responses"), header, rows()),
        _questions_table(content, questions, lists, language, default),
    ]


# Questions whose answers are counted value by value; any other without choices is answered in
# words, and its answers are listed as comments.
COUNTED_TYPES = ("integer", "decimal", "date")


def _value_order(question):
    """Numbers and dates in their order; a value that is neither (typed wrong) after them."""

    def key(item):
        typed = _typed(question, item[0])
        return (isinstance(typed, str), typed)

    return key


def answers_counted_table(round_, language) -> Table:
    """An anonymous round's responses, counted: for each question, one row per answer that
    could be chosen with how many chose it (0 included, so that a question's counts add up to
    the number of responses that answered it), and one row per comment, sorted by its text.

    Nothing here is read per response: the database counts the answers, and the comments are
    read without their response or date. So no row holds more than one answer of one person,
    and none can be matched with what the organisation knows of who answered when."""
    version = round_.framework_version
    default = version.default_language
    content = version_content(version)
    lists = choice_labels(content.choices, language, default)
    titles = {
        s.code: pick(s.title, language, default) for s in content.sections if s.kind == "element"
    }
    questions = selectors.response_questions(round_)
    header = [
        _("Element code"),
        _("Element"),
        _("Question code"),
        _("Question"),
        _("Measure code"),
        _("Measure"),
        _("Value code"),
        _("Value"),
        _("Count"),
        _("Text"),
    ]

    def in_words(question):
        return not question.list_name and question.base_type not in COUNTED_TYPES

    def rows():
        counts = selectors.answer_counts(round_)
        comments = selectors.answer_comments(round_, [q.pk for q in questions if in_words(q)])
        for question in questions:
            where = [
                question.element,
                titles.get(question.element, "") if question.element else "",
                question.name,
                pick(question.label, language, default),
            ]

            def line(measure, value=("", ""), count=None, text="", where=where):
                return [*where, measure, MEASURES[measure](), *value, count, text]

            stored = counts.get(question.pk, {})
            if question.list_name:
                chosen = Counter()
                for value, number in stored.items():
                    for code in value.split():
                        chosen[code] += number
                options = lists.get(question.list_name, [])
                for code, label in options:
                    yield line("chosen", (code, label), chosen[code])
                # A value outside the list (an offline import of an older form, say).
                for code in sorted(set(chosen) - {code for code, _label in options}):
                    yield line("chosen", (code, code), chosen[code])
            elif not in_words(question):
                for value, number in sorted(stored.items(), key=_value_order(question)):
                    yield line("chosen", (_typed(question, value), value), number)
            for text in comments.get(question.pk, []):
                yield line("comment", text=text)

    return Table(_("Responses"), header, rows())


def _questions_table(content, questions, lists, language, default):
    """What each column of the responses holds: the question, its element, side and choices."""
    titles = {
        s.code: pick(s.title, language, default) for s in content.sections if s.kind == "element"
    }
    header = [
        _("Column"),
        _("Question"),
        _("Element code"),
        _("Element"),
        _("Side code"),
        _("Side"),
        _("Part code"),
        _("Part"),
        _("Type"),
        _("Choices"),
    ]
    rows = [
        [
            question.name,
            pick(question.label, language, default),
            question.element,
            titles.get(question.element, "") if question.element else "",
            question.side,
            _side(question.side),
            question.part,
            _label(Part.choices, question.part) if question.part else "",
            question.type,
            "; ".join(f"{value} = {label}" for value, label in lists.get(question.list_name, [])),
        ]
        for question in questions
    ]
    return Table(_("Questions"), header, rows)


# --- A round's results ------------------------------------------------------------------------

SECTIONS = {
    "responses": lambda: _("Responses"),
    "elements": lambda: _("Scores by element"),
    "foundations": lambda: _("Through the 2021 foundations"),
    "statements": lambda: _("Question by question"),
    "practices": lambda: _("Practices of the stage"),
    "facts": lambda: _("Facts recorded"),
    "other": lambda: _("Other answers"),
}
MEASURES = {
    "responses": lambda: _("Number of responses"),
    "score": lambda: _("Score"),
    "chosen": lambda: _("Answer chosen"),
    "named_answer": lambda: _("Answer, by person"),
    "comment": lambda: _("Comment"),
    "fact": lambda: _("Fact recorded"),
}


def _flag(gap):
    if gap.blind_spot:
        return "blind_spot", _("blind spot")
    if gap.flagged:
        return "views_differ", _("views differ")
    return "", ""


def results_table(results) -> Table:
    """The results page as one long table: one row per score, per answer chosen, per named
    answer, per comment and per fact. A round in conversation mode has no count, score or gap,
    as its page has none; the respondent's column is there in the named tier only."""
    round_ = results.round
    numbers = not results.hide_numbers
    named = round_.privacy == Privacy.NAMED
    pooled = round_.is_pooled
    titles = {e.code: e.title for e in results.elements}
    header = [
        _("Section code"),
        _("Section"),
        _("Element code"),
        _("Element"),
        _("Item code"),
        _("Item"),
        _("Side code"),
        _("Side"),
        _("Measure code"),
        _("Measure"),
        _("Value code"),
        _("Value"),
    ]
    if numbers:
        header += [_("Count"), _("Score"), _("Gap"), _("Gap flag code"), _("Gap flag")]
    if named:
        header.append(_("Respondent"))
    header.append(_("Text"))

    def line(section, measure, *, element="", item=("", ""), side="", value=("", ""), **more):
        row = [
            section,
            SECTIONS[section](),
            element,
            titles.get(element, "") if element else "",
            *item,
            side,
            _side(side, pooled),
            measure,
            MEASURES[measure](),
            *value,
        ]
        if numbers:
            gap = more.get("gap")
            points = gap.points if gap is not None else None
            row += [
                more.get("count"),
                more.get("score"),
                whole(points) if points is not None else None,
                *(_flag(gap) if gap is not None else ("", "")),
            ]
        if named:
            row.append(more.get("who", ""))
        row.append(more.get("text", ""))
        return row

    def score(tally):
        if tally is None or not tally.count:
            return {"count": 0, "score": None}
        return {"count": tally.count, "score": whole(tally.score)}

    def answers(section, side, distribution, **where):
        for value, label, count in distribution:
            if count:
                yield line(section, "chosen", side=side, value=(value, label), count=count, **where)

    def people(section, side, entries, measure, **where):
        for who, text in entries:
            if measure == "named_answer":
                yield line(section, measure, side=side, value=("", text), who=who, **where)
            else:
                yield line(section, measure, side=side, who=who, text=text, **where)

    def rows():
        if not results.answer_count:
            return
        if numbers:
            for side in results.sides:
                yield line("responses", "responses", side=side, count=results.counts.get(side, 0))
            for element in results.elements:
                for side in results.sides:
                    gap = None if pooled else element.gap
                    yield line(
                        "elements",
                        "score",
                        element=element.code,
                        side=side,
                        gap=gap,
                        **score(element.tallies.get(side)),
                    )
            for foundation in results.foundations:
                for side in results.sides:
                    yield line(
                        "foundations",
                        "score",
                        item=(foundation.code, foundation.title),
                        side=side,
                        gap=None if pooled else foundation.gap,
                        **score(foundation.tallies.get(side)),
                    )
        for element in results.elements:
            for pair in results.pairs.get(element.code, []):
                for side in results.sides:
                    where = {"element": element.code, "item": (pair.code, pair.texts.get(side, ""))}
                    if numbers and not pooled:
                        yield line(
                            "statements",
                            "score",
                            side=side,
                            gap=pair.gap,
                            **score(pair.tallies.get(side)),
                            **where,
                        )
                    yield from answers("statements", side, pair.distribution.get(side, []), **where)
                    named_answers = pair.named.get(side, [])
                    yield from people("statements", side, named_answers, "named_answer", **where)
                    yield from people(
                        "statements", side, pair.comments.get(side, []), "comment", **where
                    )
        for practice in results.practices:
            where = {"element": practice.element, "item": (practice.name, practice.label)}
            for side, counts in practice.counts.items():
                yield from answers("practices", side, counts, **where)
            for side, entries in practice.named.items():
                yield from people("practices", side, entries, "named_answer", **where)
            for side, entries in practice.comments.items():
                yield from people("practices", side, entries, "comment", **where)
        for fact in results.facts:
            for side, values in fact.values.items():
                for value in values:
                    yield line(
                        "facts",
                        "fact",
                        element=fact.element,
                        item=(fact.name, fact.label),
                        side=side,
                        value=("", value),
                    )
        for label, comments in results.others:
            for side, entries in comments.items():
                yield from people("other", side, entries, "comment", item=("", label))

    return Table(_("Results"), header, rows())


# --- Commitments ------------------------------------------------------------------------------


def commitments_table(commitments, language, now=None) -> Table:
    """One row per commitment: what will change, who owns it, when it is due, where it
    stands, as the partnership's commitments page shows it."""
    now = now or timezone.now()
    header = [
        _("Commitment ID"),
        _("Partnership"),
        _("Round"),
        _("What will change"),
        _("Element code"),
        _("Element"),
        _("Question code"),
        _("Owner side code"),
        _("Owner side"),
        _("Owner"),
        _("Owner organisation"),
        _("Due"),
        _("Status code"),
        _("Status"),
        _("What will show it was done"),
        _("Agreed"),
        _("Reported done"),
        _("Kept"),
        _("Closed"),
    ]
    element_titles = {}

    def element_title(commitment):
        version = commitment.round.framework_version
        if version.pk not in element_titles:
            content = version_content(version)
            element_titles[version.pk] = {
                s.code: pick(s.title, language, version.default_language)
                for s in content.sections
                if s.kind == "element"
            }
        return element_titles[version.pk].get(commitment.element, "")

    def rows():
        for commitment in commitments:
            status = status_of(commitment, now)
            yield [
                commitment.pk,
                commitment.partnership.title,
                commitment.round.title,
                commitment.title,
                commitment.element,
                element_title(commitment) if commitment.element else "",
                commitment.question,
                commitment.owner_side,
                _side(commitment.owner_side),
                str(commitment.owner),
                commitment.owner_organisation.name,
                commitment.due_on,
                status,
                str(STATUS_LABELS.get(status, status)),
                commitment.evidence_expected,
                commitment.agreed_at,
                commitment.done_reported_at,
                commitment.kept_at,
                commitment.closed_at,
            ]

    return Table(_("Commitments"), header, rows())


# --- Concerns ---------------------------------------------------------------------------------


def _person(user):
    return (user.full_name or user.email) if user is not None else ""


def concerns_tables(concerns, now=None) -> list[Table]:
    """The concerns a focal point (or an admin) reads in the list and on each concern's page,
    and their history with its internal notes. Nothing that would tell who raised an
    anonymous concern is stored, so none is written."""
    now = now or timezone.now()
    header = [
        _("Reference"),
        _("Category code"),
        _("Category"),
        _("Partnership"),
        _("Raised by"),
        _("Email of the person who raised it"),
        _("Raised without a name"),
        _("Reply wanted code"),
        _("Reply wanted"),
        _("Contact for the reply"),
        _("Received"),
        _("Time zone of the deadlines"),
        _("To acknowledge by"),
        _("To respond by"),
        _("Acknowledged"),
        _("Responded"),
        _("Resolved"),
        _("Status code"),
        _("Status"),
        _("Overdue code"),
        _("Overdue"),
        _("What happened"),
    ]

    def rows():
        for concern in concerns:
            missed = concern.overdue(now)
            yield [
                concern.reference,
                concern.category,
                _label(Category.choices, concern.category),
                concern.partnership.title if concern.partnership else "",
                _person(concern.raised_by),
                concern.raised_by.email if concern.raised_by else "",
                concern.is_anonymous,
                concern.reply_by,
                _label(ReplyBy.choices, concern.reply_by),
                concern.contact,
                concern.received_at,
                concern.time_zone,
                concern.acknowledge_by,
                concern.respond_by,
                concern.acknowledged_at,
                concern.responded_at,
                concern.resolved_at,
                concern.status,
                _label(Status.choices, concern.status),
                " ".join(missed),
                "; ".join(_label(Deadline.choices, m) for m in missed),
                concern.description,
            ]

    history_header = [
        _("Reference"),
        _("Step code"),
        _("Step"),
        _("Missed deadline code"),
        _("Missed deadline"),
        _("Time"),
        _("By"),
        _("Internal note"),
        _("Message"),
    ]
    references = {concern.pk: concern.reference for concern in concerns}

    def history():
        for event in selectors.concern_events(list(references)):
            if event.author is not None:
                by = _person(event.author)
            elif event.by_raiser:
                by = _("the person who raised it")
            else:
                by = ""
            yield [
                references[event.concern_id],
                event.kind,
                _label(EventKind.choices, event.kind),
                event.missed,
                _label(Deadline.choices, event.missed),
                event.at,
                by,
                event.internal,
                event.message,
            ]

    return [Table(_("Concerns"), header, rows()), Table(_("History"), history_header, history())]


# --- Funding flows ----------------------------------------------------------------------------


def _counts_as(row):
    """What the receiver counts as, as the figures count it."""
    if row["receiver_organisation_id"]:
        receiver = Organisation(
            kind=row["receiver_organisation__kind"],
            refugee_led=row["receiver_organisation__refugee_led"],
            affiliate_of_id=row["receiver_organisation__affiliate_of_id"],
        )
        if receiver.is_local and receiver.is_refugee_led:
            return ReceiverClass.REFUGEE_LED
        return ReceiverClass.LOCAL if receiver.is_local else ReceiverClass.NOT_LOCAL
    return row["receiver_class"]


def flows_table(flows, rates) -> Table:
    """One row per funding flow, as recorded, with its value in the organisation's figures
    currency at the exchange rate of its value date (empty when no rate is known)."""
    header = [
        _("Flow ID"),
        _("Date"),
        _("Value date"),
        _("Kind code"),
        _("Kind"),
        _("Provider"),
        _("Receiver"),
        _("Receiver's IATI identifier"),
        _("On Counterpart"),
        _("Receiver counts as code"),
        _("Receiver counts as"),
        _("Amount"),
        _("Currency"),
        _("Value in %(currency)s") % {"currency": rates.currency},
        _("Country code"),
        _("Country"),
        _("Humanitarian"),
        _("Flexible (unearmarked)"),
        _("Multi-year (24 months or more)"),
        _("Overhead (indirect cost) rate covered, %"),
        _("Intermediaries"),
        _("Partnership"),
        _("Source code"),
        _("Source"),
        _("Note"),
    ]

    def rows():
        for row in flows:
            counts_as = _counts_as(row)
            country = str(row["country"] or "")
            yield [
                row["pk"],
                row["date"],
                row["value_date"],
                row["kind"],
                _label(FlowKind.choices, row["kind"]),
                row["provider_name"],
                row["receiver_organisation__name"] or row["receiver_name"] or row["receiver_ref"],
                row["receiver_ref"],
                bool(row["receiver_organisation_id"]),
                counts_as,
                _label(ReceiverClass.choices, counts_as),
                row["amount"],
                row["currency"],
                rates.value(row["amount"], row["currency"], row["value_date"] or row["date"]),
                country,
                str(countries.name(country)) if country else "",
                row["humanitarian"],
                row["flexible"],
                row["multi_year"],
                row["overhead_rate"],
                "; ".join(str(name) for name in row["intermediaries"] or []),
                row["partnership__title"] or "",
                row["source"],
                _label(FlowSource.choices, row["source"]),
                row["note"],
            ]

    return Table(_("Funding flows"), header, rows())
