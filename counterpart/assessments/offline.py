"""Reading the submissions of a round collected offline, from a KoboToolbox or ODK Central
export (CSV or XLSX), into answers checked exactly as the online form checks them.

Columns are matched by question name. Exports name a column by its group path
("voice/voice_budget_local" in KoboToolbox, "voice-voice_budget_local" in ODK Central), so the
last part that names a question counts. Each row is one submission; its side is read from the
`respondent_side` column. Nothing is stored here: `read_export` returns rows or every problem."""

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from counterpart.common.xml_prolog import WORKBOOK_DOCTYPE_MESSAGE, workbook_declares_doctype
from counterpart.frameworks import xlsform
from counterpart.frameworks.selectors import version_content
from counterpart.partnerships.models import Side

from .questionnaire import questionnaire_form, to_draft

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
# Columns that hold a submission's own identifier, as KoboToolbox and ODK name them.
KEY_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY")


@dataclass
class ImportProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def where(self):
        if self.column:
            return _("Row %(row)s, column “%(column)s”") % {"row": self.row, "column": self.column}
        return _("Row %(row)s") % {"row": self.row}


class ExportInvalid(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Submission:
    row: int
    side: str
    key: str
    # question name -> (value, note, evidence)
    values: dict = field(default_factory=dict)


def _rows_from_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportInvalid(
            [ImportProblem(1, "", _("The file is not UTF-8 text. Export it again as CSV."))]
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise ExportInvalid(
            [ImportProblem(1, "", _("The file could not be read as CSV. Export it again."))]
        ) from None


def _rows_from_xlsx(data):
    from openpyxl import load_workbook

    if workbook_declares_doctype(data):
        raise ExportInvalid([ImportProblem(1, "", str(WORKBOOK_DOCTYPE_MESSAGE))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = []
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(
                ["" if v is None else v if isinstance(v, str) else to_draft(v) for v in values]
            )
            if len(rows) > MAX_ROWS + 1:
                break
        workbook.close()
    except Exception:  # openpyxl raises many kinds for a broken file, some only while reading
        raise ExportInvalid(
            [ImportProblem(1, "", _("The file could not be read as an XLSX workbook."))]
        ) from None
    return rows


def _column_names(headers, known):
    """For each column, the name it stands for (a question, a companion, side, stage or key),
    or None for columns the round does not use (metadata, notes)."""
    names = []
    for header in headers:
        header = str(header).strip()
        if header in KEY_COLUMNS:
            names.append("__key__")
            continue
        name = header.rsplit("/", 1)[-1]
        if name not in known:
            parts = header.split("-")
            name = next(
                ("-".join(parts[i:]) for i in range(len(parts)) if "-".join(parts[i:]) in known),
                None,
            )
        names.append(name)
    return names


def read_export(round_, data: bytes, filename: str, sides=None) -> list[Submission]:
    """The submissions of an export, each checked; `sides` are those the importing person
    may import for (their own side; both if they edit for both)."""
    if len(data) > MAX_BYTES:
        raise ExportInvalid([ImportProblem(1, "", _("The file is larger than 20 MB."))])
    if filename.lower().endswith(".xlsx"):
        rows = _rows_from_xlsx(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _rows_from_csv(data)
    else:
        raise ExportInvalid([ImportProblem(1, "", _("Choose a CSV or XLSX file."))])
    if not rows:
        raise ExportInvalid([ImportProblem(1, "", _("The file is empty."))])
    if len(rows) > MAX_ROWS + 1:
        raise ExportInvalid(
            [ImportProblem(MAX_ROWS + 2, "", _("A file can hold at most 5000 submissions."))]
        )
    if round_.is_pooled:
        sides = [Side.LOCAL]
    elif sides is None:
        sides = [Side.INTERNATIONAL, Side.LOCAL]
    language = round_.framework_version.default_language
    fields = {side: questionnaire_form(round_, side, language).fields for side in sides}
    known = {xlsform.SIDE_QUESTION, xlsform.STAGE_QUESTION}
    for side_fields in fields.values():
        known.update(side_fields)
    all_names = set(version_content(round_.framework_version).questions_by_name)
    known.update(all_names)
    headers = rows[0]
    names = _column_names(headers, known)
    problems = []
    if not round_.is_pooled and xlsform.SIDE_QUESTION not in names:
        problems.append(
            ImportProblem(
                1, "", _("No “respondent_side” column: each row must say which side answered.")
            )
        )
    if not any(n in all_names for n in names):
        problems.append(
            ImportProblem(
                1,
                "",
                _(
                    "No column matches a question of this round's framework. Export with XML "
                    "values and headers, not labels."
                ),
            )
        )
    if problems:
        raise ExportInvalid(problems)
    submissions = []
    seen_keys = set()
    for number, row in enumerate(rows[1:], start=2):
        cells = {}
        for index, name in enumerate(names):
            if name is None or index >= len(row):
                continue
            text = str(row[index]).strip()
            if text:
                cells[name] = (text, str(headers[index]))
        if not any(n in all_names or n.endswith(("_note", "_evidence")) for n in cells):
            continue  # an empty row, or one with metadata only
        submission = _read_row(round_, number, cells, fields, all_names, problems)
        if submission is None:
            continue
        if submission.key:
            if submission.key in seen_keys:
                problems.append(
                    ImportProblem(number, "", _("This submission appears twice in the file."))
                )
            seen_keys.add(submission.key)
        submissions.append(submission)
    if problems:
        raise ExportInvalid(problems)
    if not submissions:
        raise ExportInvalid([ImportProblem(2, "", _("The file holds no answers."))])
    return submissions


def _read_row(round_, number, cells, fields, all_names, problems):
    side_text, side_column = cells.pop(xlsform.SIDE_QUESTION, ("", xlsform.SIDE_QUESTION))
    if round_.is_pooled:
        side = Side.LOCAL
    elif side_text in fields:
        side = side_text
    elif side_text in (Side.INTERNATIONAL, Side.LOCAL):
        problems.append(
            ImportProblem(
                number,
                side_column,
                _("You can import only the answers of your own side, not the %(side)s.")
                % {"side": Side(side_text).label.lower()},
            )
        )
        return None
    else:
        problems.append(
            ImportProblem(
                number,
                side_column,
                _("Write “international” or “local” here, not “%(value)s”.") % {"value": side_text}
                if side_text
                else _("Say which side answered: “international” or “local”."),
            )
        )
        return None
    stage_text, stage_column = cells.pop(xlsform.STAGE_QUESTION, ("", ""))
    if stage_text and round_.stage and stage_text != round_.stage:
        problems.append(
            ImportProblem(
                number,
                stage_column,
                _("This submission was for the stage “%(found)s”; the round is at “%(stage)s”.")
                % {"found": stage_text, "stage": round_.get_stage_display()},
            )
        )
    key = cells.pop("__key__", ("", ""))[0]
    submission = Submission(number, side, key[:100])
    side_fields = fields[side]
    cleaned = {}
    for name, (text, column) in cells.items():
        form_field = side_fields.get(name)
        if form_field is None:
            if name in all_names or name.endswith(("_note", "_evidence")):
                problems.append(
                    ImportProblem(
                        number,
                        column,
                        _("This question is not asked of the %(side)s in this round.")
                        % {"side": Side(side).label.lower()},
                    )
                )
            continue
        raw = text.split() if isinstance(form_field, forms.MultipleChoiceField) else text
        try:
            cleaned[name] = form_field.clean(raw)
        except ValidationError as error:
            for message in error.messages:
                problems.append(ImportProblem(number, column, message))
    for name, value in cleaned.items():
        if name.endswith(("_note", "_evidence")) and name not in all_names:
            continue
        note = cleaned.get(f"{name}_note") or ""
        evidence = cleaned.get(f"{name}_evidence") or ""
        if isinstance(value, list):
            value = " ".join(value)
        submission.values[name] = (to_draft(value) if value is not None else "", note, evidence)
    for name in cleaned:
        base = name.rsplit("_", 1)[0]
        if name.endswith(("_note", "_evidence")) and name not in all_names and base not in cleaned:
            submission.values[base] = (
                "",
                cleaned.get(f"{base}_note") or "",
                cleaned.get(f"{base}_evidence") or "",
            )
    return submission
