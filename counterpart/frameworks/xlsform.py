"""Reading a framework from an XLSForm workbook, and checking it.

An XLSForm is a spreadsheet with `survey`, `choices` and `settings` sheets. Counterpart reads
the standard columns and five of its own, which other tools ignore:

- `part`: `element` or `stage` on a `begin_group` row; `relationship`, `checklist` or `fact`
  on a question (empty for any other question or note);
- `element`: the element a group holds or a question informs;
- `side`: `international` or `local`, for a question asked of one side only;
- `pair`: the key shared by the two mirrored questions of a relationship practice;
- `foundations`: the 2021 foundations a question also informs, separated by spaces;
- `stage`: the life-cycle stage of a stage group, checklist practice or fact.

`read_workbook` returns the framework as plain data, or every problem found, each with its
sheet, row and column. Nothing here touches the database."""

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from counterpart.common.xml_prolog import WORKBOOK_DOCTYPE_MESSAGE, workbook_declares_doctype
from counterpart.partnerships.models import Stage

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 3000
MAX_COLUMNS = 200

PARTS = ("element", "stage", "relationship", "checklist", "fact")
# Rows the export adds after each checklist practice, for offline forms; reading skips them.
COMPANION_PARTS = ("practice_note", "practice_evidence")
SIDES = ("international", "local")
SUPPORTED_TYPES = ("note", "select_one", "select_multiple", "integer", "decimal", "text", "date")
AGREEMENT_VALUES = {"1", "2", "3", "4", "5"}
AGREEMENT_EXTRAS = {"dont_know", "not_applicable"}
PRACTICE_VALUES = {"done", "partly", "not_yet", "not_applicable"}
PRACTICE_REQUIRED = {"done", "not_yet"}
TRANSLATED = ("label", "hint", "constraint_message", "prompt")
SIDE_QUESTION = "respondent_side"
STAGE_QUESTION = "partnership_stage"
STAGES = tuple(Stage.values)

_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_NAME = 100  # names, pairs, element codes, list names and choice values


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def where(self):
        parts = [self.sheet]
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        return ", ".join(parts)


@dataclass
class Row:
    """One row of the survey sheet, with its translations by language code."""

    number: int
    type: str
    name: str
    texts: dict = field(default_factory=dict)  # {"label": {"en": "..."}, "hint": {...}}
    relevant: str = ""
    constraint: str = ""
    required: str = ""
    part: str = ""
    element: str = ""
    side: str = ""
    pair: str = ""
    foundations: list = field(default_factory=list)
    stage: str = ""
    section: str = ""  # the name of the enclosing group

    @property
    def base_type(self):
        return self.type.split()[0] if self.type else ""

    @property
    def list_name(self):
        bits = self.type.split()
        return bits[1] if len(bits) > 1 and bits[0] in ("select_one", "select_multiple") else ""


@dataclass
class Group:
    number: int
    name: str
    part: str
    code: str
    texts: dict
    relevant: str = ""


@dataclass
class ParsedFramework:
    title: str
    form_id: str
    version: str
    languages: list  # [(code, name)]
    default_language: str
    groups: list  # [Group]
    rows: list  # [Row]
    choices: list  # [(list_name, value, {code: label})]


class FrameworkInvalid(Exception):
    """`final` means the file could not be read through, so no further check is worth running."""

    def __init__(self, problems, final=False):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.final = final


def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Sheet:
    """A sheet read into header positions and rows of text."""

    def __init__(self, name, rows):
        self.name = name
        self.headers = []  # [(index, base, language_header or "")]
        self.rows = []
        if not rows:
            return
        for index, raw in enumerate(rows[0]):
            header = _cell_text(raw)
            if not header:
                continue
            base, _sep, language = header.partition("::")
            base = base.strip().lower().replace(" ", "_")
            self.headers.append((index, base, language.strip()))
        for number, values in enumerate(rows[1:], start=2):
            if any(_cell_text(v) for v in values):
                self.rows.append((number, values))

    def column(self, base, language=""):
        for index, header_base, header_language in self.headers:
            if header_base == base and header_language == language:
                return index
        return None

    def column_for(self, base, code):
        for index, header_base, header_language in self.headers:
            if header_base == base and _header_language(header_language)[0] == code:
                return index
        return None

    def label_of(self, index):
        for i, base, language in self.headers:
            if i == index:
                header = f"{base}::{language}" if language else base
                return f"{_column_letter(index)} ({header})"
        return _column_letter(index)

    def value(self, values, index):
        if index is None or index >= len(values):
            return ""
        return _cell_text(values[index])


def _open_workbook(data):
    import openpyxl

    if len(data) > MAX_UPLOAD_BYTES:
        raise FrameworkInvalid(
            [Problem(_("file"), None, "", _("The file is larger than 5 MB."))], final=True
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise FrameworkInvalid(
                [Problem(_("file"), None, "", _("The spreadsheet unpacks to more than 40 MB."))],
                final=True,
            )
        if workbook_declares_doctype(data):
            raise FrameworkInvalid(
                [Problem(_("file"), None, "", str(WORKBOOK_DOCTYPE_MESSAGE))], final=True
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FrameworkInvalid:
        raise
    except Exception as error:  # noqa: BLE001 - any unreadable file gets the same answer
        raise FrameworkInvalid(
            [
                Problem(
                    _("file"),
                    None,
                    "",
                    _(
                        "This is not a spreadsheet Counterpart can read. Save it as an Excel "
                        "workbook (.xlsx) and try again."
                    ),
                )
            ],
            final=True,
        ) from error


def _read_sheet(workbook, name):
    """The sheet's rows up to the last filled one. Spreadsheets often carry thousands of
    formatted empty rows; reading stops after a long run of them."""
    for sheet_name in workbook.sheetnames:
        if sheet_name.strip().lower() != name:
            continue
        rows, filled, empty_run = [], 0, 0
        for values in workbook[sheet_name].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if any(_cell_text(v) for v in values):
                filled += 1
                empty_run = 0
            else:
                empty_run += 1
                if empty_run > 1000:
                    break
            rows.append(values)
            if filled > MAX_ROWS:
                raise FrameworkInvalid(
                    [
                        Problem(
                            name,
                            None,
                            "",
                            _("The sheet has more than %(count)s rows.") % {"count": MAX_ROWS},
                        )
                    ],
                    final=True,
                )
        return _Sheet(name, rows)
    return None


def _header_language(header_language):
    """(code, name) of a column's language. Columns without a code get a stand-in code, so
    that the rest of the file can still be checked after the header problem is reported."""
    match = _LANGUAGE.match(header_language)
    if match:
        return match["code"].lower().replace("_", "-"), match["name"] or match["code"]
    if header_language:
        return header_language.lower(), header_language
    return "", _("no language")


def _languages(sheets, problems):
    """Declared languages come from the label columns of the survey sheet."""
    languages = []
    for sheet in sheets:
        if sheet is None:
            continue
        for index, base, header_language in sheet.headers:
            if base not in TRANSLATED:
                continue
            if not header_language:
                problems.append(
                    Problem(
                        sheet.name,
                        1,
                        sheet.label_of(index),
                        _(
                            "Name the language of this column with its code, for example "
                            "“%(example)s”."
                        )
                        % {"example": f"{base}::English (en)"},
                    )
                )
            elif not _LANGUAGE.match(header_language):
                problems.append(
                    Problem(
                        sheet.name,
                        1,
                        sheet.label_of(index),
                        _(
                            "The language “%(language)s” has no code. Write it as a name with "
                            "its code in brackets, for example “English (en)”."
                        )
                        % {"language": header_language},
                    )
                )
            code, name = _header_language(header_language)
            if sheet.name == "survey" and base == "label" and code not in dict(languages):
                languages.append((code, name))
    return languages


def _texts(sheet, values, languages):
    texts = {}
    for index, base, header_language in sheet.headers:
        if base not in TRANSLATED:
            continue
        code, _name = _header_language(header_language)
        text = sheet.value(values, index)
        if text:
            texts.setdefault(base, {})[code] = text
    return texts


def _too_long(limit):
    return _("This is longer than %(count)s characters.") % {"count": limit}


def _missing_text(base):
    return {
        "label": _("The label is missing in %(language)s."),
        "hint": _("The hint is missing in %(language)s."),
        "constraint_message": _("The constraint message is missing in %(language)s."),
        "prompt": _("The discussion prompt is missing in %(language)s."),
    }[base]


def _check_translations(sheet, number, texts, languages, problems):
    """Every text given in one declared language must be given in all of them."""
    for base, by_language in texts.items():
        for code, name in languages:
            if code not in by_language:
                column = sheet.column_for(base, code)
                problems.append(
                    Problem(
                        sheet.name,
                        number,
                        sheet.label_of(column)
                        if column is not None
                        else f"{base}::{name} ({code})",
                        _missing_text(base) % {"language": name},
                    )
                )
        for code in by_language:
            if code not in dict(languages):
                problems.append(
                    Problem(
                        sheet.name,
                        number,
                        "",
                        _(
                            "There is text in the language “%(code)s”, which has no label "
                            "column in the survey sheet."
                        )
                        % {"code": code},
                    )
                )


def read_workbook(data: bytes) -> ParsedFramework:
    """The framework in an XLSForm file, or FrameworkInvalid listing every problem."""
    workbook = _open_workbook(data)
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about Excel features it drops
        survey = _read_sheet(workbook, "survey")
        choices_sheet = _read_sheet(workbook, "choices")
        settings_sheet = _read_sheet(workbook, "settings")
    workbook.close()
    if survey is None:
        raise FrameworkInvalid(
            [Problem("survey", None, "", _("The file has no “survey” sheet."))], final=True
        )
    if choices_sheet is None:
        raise FrameworkInvalid(
            [Problem("choices", None, "", _("The file has no “choices” sheet."))]
        )

    languages = _languages([survey, choices_sheet], problems)
    for base in ("type", "name"):
        if survey.column(base) is None:
            problems.append(
                Problem(
                    "survey", 1, "", _("The sheet needs a “%(column)s” column.") % {"column": base}
                )
            )
    if not languages:
        problems.append(
            Problem(
                "survey",
                1,
                "",
                _(
                    "The sheet needs at least one label column with a language, for example "
                    "“label::English (en)”."
                ),
            )
        )
    if survey.column("type") is None or survey.column("name") is None or not languages:
        raise FrameworkInvalid(problems)

    choices = _read_choices(choices_sheet, languages, problems)
    lists = {}
    for list_name, value, _labels in choices:
        lists.setdefault(list_name, set()).add(value)

    title, form_id, version, default_language = _read_settings(settings_sheet, languages, problems)
    groups, rows = _read_survey(survey, languages, lists, problems)
    _check_structure(survey, groups, rows, lists, problems)
    if problems:
        raise FrameworkInvalid(problems)
    return ParsedFramework(
        title=title or form_id,
        form_id=form_id,
        version=version,
        languages=languages,
        default_language=default_language,
        groups=groups,
        rows=rows,
        choices=choices,
    )


def _read_choices(sheet, languages, problems):
    list_column = sheet.column("list_name")
    name_column = sheet.column("name")
    if list_column is None or name_column is None:
        problems.append(
            Problem("choices", 1, "", _("The sheet needs “list_name” and “name” columns."))
        )
        return []
    choices = []
    seen = {}
    for number, values in sheet.rows:
        list_name = sheet.value(values, list_column)
        value = sheet.value(values, name_column)
        if not list_name and not value:
            continue
        if not list_name or not value:
            problems.append(
                Problem(
                    "choices",
                    number,
                    sheet.label_of(list_column if not list_name else name_column),
                    _("Each choice needs both a list name and a name."),
                )
            )
            continue
        if (list_name, value) in seen:
            problems.append(
                Problem(
                    "choices",
                    number,
                    sheet.label_of(name_column),
                    _(
                        "The choice “%(value)s” already appears in the list “%(list)s” "
                        "on row %(row)s."
                    )
                    % {"value": value, "list": list_name, "row": seen[(list_name, value)]},
                )
            )
            continue
        seen[(list_name, value)] = number
        if len(list_name) > MAX_NAME or len(value) > MAX_NAME:
            problems.append(
                Problem(
                    "choices",
                    number,
                    sheet.label_of(list_column if len(list_name) > MAX_NAME else name_column),
                    _too_long(MAX_NAME),
                )
            )
        texts = _texts(sheet, values, languages)
        if "label" not in texts:
            problems.append(
                Problem(
                    "choices",
                    number,
                    "",
                    _("The choice “%(value)s” has no label.") % {"value": value},
                )
            )
            continue
        _check_translations(sheet, number, {"label": texts["label"]}, languages, problems)
        choices.append((list_name, value, texts["label"]))
    return choices


def _read_settings(sheet, languages, problems):
    title = form_id = version = default = ""
    if sheet is not None and sheet.rows:
        number, values = sheet.rows[0]
        title = sheet.value(values, sheet.column("form_title"))
        form_id = sheet.value(values, sheet.column("form_id")) or sheet.value(
            values, sheet.column("id_string")
        )
        version = sheet.value(values, sheet.column("version"))
        default = sheet.value(values, sheet.column("default_language"))
    codes = [code for code, _name in languages]
    default_code = codes[0] if codes else ""
    if default:
        code = _header_language(default)[0]
        if code not in codes:
            column = sheet.column("default_language")
            problems.append(
                Problem(
                    "settings",
                    2,
                    sheet.label_of(column),
                    _(
                        "The default language “%(language)s” has no label column in the "
                        "survey sheet."
                    )
                    % {"language": default},
                )
            )
        else:
            default_code = code
    if form_id and not _NAME.match(form_id):
        problems.append(
            Problem(
                "settings",
                2,
                sheet.label_of(sheet.column("form_id")),
                _("The form_id may contain only letters, digits and underscores."),
            )
        )
    return title[:200], form_id[:60] or "framework", version[:40], default_code


def _read_survey(sheet, languages, lists, problems):
    columns = {
        name: sheet.column(name)
        for name in (
            "type",
            "name",
            "relevant",
            "constraint",
            "required",
            "part",
            "element",
            "side",
            "pair",
            "foundations",
            "stage",
        )
    }
    groups, rows, names = [], [], {}
    open_group = None

    def problem(number, column, message):
        index = columns.get(column)
        problems.append(
            Problem(
                "survey", number, sheet.label_of(index) if index is not None else column, message
            )
        )

    limits = (
        ("type", 120),
        ("name", MAX_NAME),
        ("element", MAX_NAME),
        ("pair", MAX_NAME),
        ("side", 20),
        ("stage", 20),
        ("required", 200),
    )
    for number, values in sheet.rows:
        cell = {name: sheet.value(values, index) for name, index in columns.items()}
        for column, limit in limits:
            if len(cell[column]) > limit:
                problem(number, column, _too_long(limit))
        kind = " ".join(cell["type"].split())
        bits = kind.split()
        if len(bits) == 2 and bits[0] in ("begin", "end") and bits[1] in ("group", "repeat"):
            kind = "_".join(bits)  # "begin group" is an accepted spelling of "begin_group"
        base = kind.split()[0] if kind else ""
        name = cell["name"]
        texts = _texts(sheet, values, languages)
        part = cell["part"].lower()
        if part in COMPANION_PARTS:
            continue
        if base in ("begin_repeat", "end_repeat"):
            problem(
                number,
                "type",
                _("Counterpart does not use repeats; ask each question once."),
            )
            continue
        if base == "end_group":
            if open_group is None:
                problem(number, "type", _("This row ends a group that was never begun."))
            open_group = None
            continue
        if not kind:
            problem(number, "type", _("The row has no type."))
            continue
        if base not in SUPPORTED_TYPES and base != "begin_group":
            problem(
                number,
                "type",
                _("Counterpart does not use the type “%(type)s”. Use one of: %(types)s.")
                % {"type": kind, "types": ", ".join(SUPPORTED_TYPES)},
            )
            continue
        if not name:
            problem(number, "name", _("The row has no name."))
            continue
        if not _NAME.match(name):
            problem(number, "name", _("A name may contain only letters, digits and underscores."))
        if name in names:
            problem(
                number,
                "name",
                _("The name “%(name)s” is already used on row %(row)s.")
                % {"name": name, "row": names[name]},
            )
        names[name] = number
        if "label" not in texts and base != "begin_group":
            problem(number, "label", _("The row has no label."))
        _check_translations(sheet, number, texts, languages, problems)
        if part and part not in PARTS:
            problem(
                number,
                "part",
                _("Unknown part “%(part)s”. Use one of: %(parts)s.")
                % {"part": part, "parts": ", ".join(PARTS)},
            )
            continue
        if base == "begin_group":
            if open_group is not None:
                problem(
                    number,
                    "type",
                    _("Groups cannot be inside other groups; end the group on row %(row)s first.")
                    % {"row": open_group.number},
                )
                continue
            if part not in ("element", "stage"):
                problem(
                    number,
                    "part",
                    _("A group must be an element or a stage: write “element” or “stage” here."),
                )
                open_group = Group(number, name, "", name, texts)  # still closed by end_group
                continue
            code = (cell["element"] if part == "element" else cell["stage"]) or name
            if part == "stage" and code not in STAGES:
                problem(
                    number,
                    "stage",
                    _("Unknown stage “%(stage)s”. Use one of: %(stages)s.")
                    % {"stage": code, "stages": ", ".join(STAGES)},
                )
            if "label" not in texts:
                problem(number, "label", _("The group has no label."))
            open_group = Group(number, name, part, code, texts, cell["relevant"])
            groups.append(open_group)
            continue
        row = Row(
            number=number,
            type=kind,
            name=name,
            texts=texts,
            relevant=cell["relevant"],
            constraint=cell["constraint"],
            required=cell["required"],
            part=part,
            element=cell["element"],
            side=cell["side"].lower(),
            pair=cell["pair"],
            foundations=cell["foundations"].split(),
            stage=cell["stage"],
            section=open_group.name if open_group else "",
        )
        if base in ("select_one", "select_multiple"):
            if not row.list_name:
                problem(
                    number, "type", _("Name the choice list after “%(type)s”.") % {"type": base}
                )
            elif row.list_name not in lists:
                problem(
                    number,
                    "type",
                    _("The choice list “%(list)s” is not on the choices sheet.")
                    % {"list": row.list_name},
                )
        rows.append(row)
    if open_group is not None:
        problems.append(
            Problem(
                "survey",
                open_group.number,
                "",
                _("The group begun on this row is never ended."),
            )
        )
    return groups, rows


def _check_structure(sheet, groups, rows, lists, problems):
    """The rules that make a questionnaire a Counterpart framework."""
    elements = {g.code: g for g in groups if g.part == "element"}
    stage_groups = {g.name: g for g in groups if g.part == "stage"}
    element_codes = [g.code for g in groups if g.part == "element"]
    for code in set(element_codes):
        if element_codes.count(code) > 1:
            problems.append(
                Problem(
                    "survey",
                    elements[code].number,
                    "",
                    _("The element “%(element)s” has more than one group.") % {"element": code},
                )
            )
    foundations = lists.get("foundation", set())
    by_pair = {}
    names = {row.name for row in rows}

    def problem(row, column, message):
        index = sheet.column(column)
        label = sheet.label_of(index) if index is not None else column
        problems.append(Problem("survey", row.number, label, message))

    groups_by_name = {g.name: g for g in groups}
    for row in rows:
        section = groups_by_name.get(row.section)
        if row.side and row.side not in SIDES:
            problem(
                row,
                "side",
                _("Unknown side “%(side)s”. Write “international”, “local”, or leave it empty.")
                % {"side": row.side},
            )
        if row.element and row.element not in elements:
            problem(
                row,
                "element",
                _("There is no element “%(element)s”: no group has part “element” with this code.")
                % {"element": row.element},
            )
        if row.stage and row.stage not in STAGES:
            problem(
                row,
                "stage",
                _("Unknown stage “%(stage)s”. Use one of: %(stages)s.")
                % {"stage": row.stage, "stages": ", ".join(STAGES)},
            )
        for foundation in row.foundations:
            if foundation not in foundations:
                problem(
                    row,
                    "foundations",
                    _(
                        "Unknown foundation “%(foundation)s”: add it to the “foundation” list on "
                        "the choices sheet."
                    )
                    % {"foundation": foundation},
                )
        if row.part == "relationship":
            if not row.element:
                problem(row, "element", _("A relationship question needs an element."))
            elif section is None or section.part != "element" or section.code != row.element:
                problem(
                    row,
                    "element",
                    _("This question must sit inside the group of its element “%(element)s”.")
                    % {"element": row.element},
                )
            if row.side not in SIDES:
                problem(
                    row,
                    "side",
                    _("A relationship question needs a side: “international” or “local”."),
                )
            if not row.pair:
                problem(
                    row,
                    "pair",
                    _("A relationship question needs a pair: the key it shares with its mirror."),
                )
            elif row.side in SIDES:
                by_pair.setdefault(row.pair, []).append(row)
            values = lists.get(row.list_name, set())
            if row.base_type != "select_one" or (
                row.list_name in lists
                and (
                    values & AGREEMENT_VALUES != AGREEMENT_VALUES
                    or values - AGREEMENT_VALUES - AGREEMENT_EXTRAS
                )
            ):
                problem(
                    row,
                    "type",
                    _(
                        "A relationship question is a select_one from a list with the choices "
                        "1 to 5, and optionally dont_know and not_applicable."
                    ),
                )
        elif row.part in ("checklist", "fact"):
            if not row.stage:
                problem(row, "stage", _("A checklist practice or a fact needs a stage."))
            elif (
                row.stage in STAGES
                and section is not None
                and section.part == "stage"
                and section.code != row.stage
            ):
                problem(
                    row,
                    "stage",
                    _("This row is in the group of the stage “%(stage)s”.")
                    % {"stage": section.code},
                )
            if row.part == "checklist":
                values = lists.get(row.list_name, set())
                if row.base_type != "select_one" or (
                    row.list_name in lists
                    and (values - PRACTICE_VALUES or PRACTICE_REQUIRED - values)
                ):
                    problem(
                        row,
                        "type",
                        _(
                            "A checklist practice is a select_one from a list with the choices "
                            "done, not_yet and optionally partly and not_applicable."
                        ),
                    )
            if row.base_type == "note":
                problem(row, "type", _("A fact must be a question, not a note."))
    by_name = {row.name: row for row in rows}
    for row in rows:
        if row.part != "checklist":
            continue
        for suffix in ("note", "evidence"):
            other = by_name.get(f"{row.name}_{suffix}")
            if other is not None:
                problem(
                    other,
                    "name",
                    _(
                        "The name “%(name)s” is kept for the note or the evidence link of the "
                        "practice on row %(row)s. Choose another name."
                    )
                    % {"name": other.name, "row": row.number},
                )
    for pair, members in by_pair.items():
        sides = [row.side for row in members]
        first = members[0]
        if len(members) > 2 or len(set(sides)) != len(sides):
            problem(
                members[-1],
                "pair",
                _("The pair “%(pair)s” has more than one question for the same side.")
                % {"pair": pair},
            )
            continue
        missing = [side for side in SIDES if side not in sides]
        for side in missing:
            problem(
                first,
                "pair",
                _(
                    "The pair “%(pair)s” has no %(side)s question. Add the mirrored question "
                    "with the same pair and side “%(side)s”."
                )
                % {"pair": pair, "side": side},
            )
        if (
            len(members) == 2
            and all(member.element for member in members)
            and members[0].element != members[1].element
        ):
            problem(
                members[1],
                "element",
                _("Both questions of the pair “%(pair)s” must belong to the same element.")
                % {"pair": pair},
            )
    if not any(row.part == "relationship" for row in rows):
        problems.append(
            Problem(
                "survey",
                None,
                "part",
                _(
                    "The questionnaire has no relationship questions. A framework needs at least "
                    "one element group with mirrored questions (part “relationship”)."
                ),
            )
        )
    for code, group in elements.items():
        if not any(row.section == group.name for row in rows):
            problems.append(
                Problem(
                    "survey",
                    group.number,
                    "",
                    _("The element “%(element)s” has no questions.") % {"element": code},
                )
            )
    if by_pair and SIDE_QUESTION not in names:
        problems.append(
            Problem(
                "survey",
                None,
                "name",
                _(
                    "Add a select_one question named “%(name)s” with the choices international "
                    "and local, so that offline forms know which side answered."
                )
                % {"name": SIDE_QUESTION},
            )
        )
    if stage_groups and STAGE_QUESTION not in names:
        problems.append(
            Problem(
                "survey",
                None,
                "name",
                _(
                    "Add a select_one question named “%(name)s” with the six stages, so that "
                    "offline forms know which checklist to show."
                )
                % {"name": STAGE_QUESTION},
            )
        )


# --- Writing -------------------------------------------------------------------------------

EXTRA_COLUMNS = ("part", "element", "side", "pair", "foundations", "stage")


def _companion_labels(languages):
    """Labels of the note and evidence rows that follow each checklist practice."""
    from django.utils import translation

    labels = {"practice_note": {}, "practice_evidence": {}}
    for code, _name in languages:
        with translation.override(code):
            labels["practice_note"][code] = _("Note (optional)")
            labels["practice_evidence"][code] = _("Link to evidence (optional)")
    return labels


def write_workbook(framework: ParsedFramework) -> bytes:
    """The framework as an XLSForm workbook that pyxform, KoboToolbox and ODK accept."""
    import openpyxl

    languages = framework.languages
    headers = ["type", "name"]
    for base in ("label", "hint"):
        headers += [f"{base}::{name} ({code})" for code, name in languages]
    headers += ["relevant", "constraint"]
    headers += [f"constraint_message::{name} ({code})" for code, name in languages]
    headers += ["required", *EXTRA_COLUMNS]
    headers += [f"prompt::{name} ({code})" for code, name in languages]

    def line(kind, name, texts=None, **cells):
        texts = texts or {}
        values = [kind, name]
        for base in ("label", "hint"):
            values += [texts.get(base, {}).get(code, "") for code, _n in languages]
        values += [cells.get("relevant", ""), cells.get("constraint", "")]
        values += [texts.get("constraint_message", {}).get(code, "") for code, _n in languages]
        values += [cells.get("required", "")]
        values += [cells.get(column, "") for column in EXTRA_COLUMNS]
        values += [texts.get("prompt", {}).get(code, "") for code, _n in languages]
        return values

    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(headers)
    companions = _companion_labels(languages)
    by_section = {}
    for row in framework.rows:
        by_section.setdefault(row.section, []).append(row)

    def emit(row):
        survey.append(
            line(
                row.type,
                row.name,
                row.texts,
                relevant=row.relevant,
                constraint=row.constraint,
                required=row.required,
                part=row.part,
                element=row.element,
                side=row.side,
                pair=row.pair,
                foundations=" ".join(row.foundations),
                stage=row.stage,
            )
        )
        if row.part == "checklist":
            for part, suffix in (("practice_note", "note"), ("practice_evidence", "evidence")):
                survey.append(
                    line(
                        "text",
                        f"{row.name}_{suffix}",
                        {"label": companions[part]},
                        relevant=f"${{{row.name}}} != ''",
                        part=part,
                        stage=row.stage,
                        pair=row.name,
                    )
                )

    items = [(row.number, "row", row) for row in by_section.get("", [])]
    items += [(group.number, "group", group) for group in framework.groups]
    for _number, kind, item in sorted(items, key=lambda entry: entry[0]):
        if kind == "row":
            emit(item)
            continue
        survey.append(
            line(
                "begin_group",
                item.name,
                item.texts,
                relevant=item.relevant,
                part=item.part,
                element=item.code if item.part == "element" else "",
                stage=item.code if item.part == "stage" else "",
            )
        )
        for row in by_section.get(item.name, []):
            emit(row)
        survey.append(line("end_group", ""))

    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name"] + [f"label::{name} ({code})" for code, name in languages])
    for list_name, value, labels in framework.choices:
        choices.append([list_name, value] + [labels.get(code, "") for code, _n in languages])

    settings = workbook.create_sheet("settings")
    default_name = dict(languages).get(framework.default_language, framework.default_language)
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        [
            framework.title,
            framework.form_id,
            framework.version,
            f"{default_name} ({framework.default_language})",
        ]
    )
    for sheet in (survey, choices, settings):
        sheet.freeze_panes = "A2"
        _keep_as_text(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _keep_as_text(sheet):
    """A text that starts with "=" stays text: a spreadsheet must not run it as a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


# --- Converting to XForm -------------------------------------------------------------------

_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]", re.IGNORECASE)


def xform_from_workbook(data: bytes) -> str:
    """The XForm XML that pyxform makes of a workbook; FrameworkInvalid with its message."""
    from pyxform import xls2xform
    from pyxform.errors import PyXFormError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel features it drops
            result = xls2xform.convert(
                xlsform=io.BytesIO(data), file_type=".xlsx", pretty_print=True
            )
    except PyXFormError as error:
        message = str(error)
        match = _PYXFORM_ROW.search(message)
        raise FrameworkInvalid(
            [
                Problem(
                    "survey" if match else _("file"),
                    int(match.group(1)) if match else None,
                    "",
                    _("pyxform, the XLSForm converter, reports: %(message)s")
                    % {"message": message},
                )
            ]
        ) from error
    except Exception as error:  # noqa: BLE001 - pyxform may fail in other ways on odd files
        raise FrameworkInvalid(
            [
                Problem(
                    _("file"),
                    None,
                    "",
                    _("pyxform, the XLSForm converter, could not read this file: %(message)s")
                    % {"message": str(error)[:300]},
                )
            ]
        ) from error
    return result.xform
