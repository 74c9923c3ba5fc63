"""Writing exports: CSV streamed as it is read, XLSX written row by row to a temporary file.

Neither keeps the rows in memory. A CSV starts with a byte order mark so that Excel reads it
as UTF-8 (Arabic, accents). Text that a spreadsheet would take for a formula is neutralised:
in a CSV it gets a leading apostrophe, in an XLSX it is written as a string cell."""

import csv
import datetime
import decimal
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

from counterpart.common.caching import keep_private

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# What a spreadsheet reads as the start of a formula (tab and carriage return too: some
# programs drop them and read what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX file cannot hold (control characters other than tab and line breaks).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_CHUNK = 64 * 1024
SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    """One sheet: its title, its header row, and its rows (any iterable, read once)."""

    title: str
    header: list
    rows: Any = field(default_factory=list)


@dataclass
class Export:
    """What a download holds. `build` returns the tables; a CSV holds the first one only.
    It runs with the language and time zone of the download active."""

    filename: str  # ASCII, without the extension
    build: Any
    language: str
    # The reader's time zone, taken when the download is asked for (a CSV is written later).
    zone: Any = field(default_factory=timezone.get_current_timezone)


def neutralise(text: str) -> str:
    """Text from people, made safe to open in a spreadsheet as a CSV cell."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date | int | float | decimal.Decimal):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return neutralise(str(value))


def _active(export):
    """The language and time zone the export is written in."""
    return translation.override(export.language), timezone.override(export.zone)


class _Line:
    """A file-like target for csv.writer that hands back what it was given."""

    def write(self, text):
        return text


def _csv_stream(export):
    rows = None
    writer = csv.writer(_Line())
    while True:
        language, zone = _active(export)
        with language, zone:
            parts, size = [], 0
            if rows is None:
                table = export.build()[0]
                rows = iter(table.rows)
                parts.append(BOM + writer.writerow([csv_value(v) for v in table.header]))
            for row in rows:
                line = writer.writerow([csv_value(v) for v in row])
                parts.append(line)
                size += len(line)
                if size >= CSV_CHUNK:
                    break
        if not parts:
            return
        yield "".join(parts)


def csv_response(export) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_stream(export), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}.csv"'
    # Someone's answers or concerns: never kept by a shared cache or the browser's.
    return keep_private(response)


def _xlsx_cell(sheet, value):
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL.sub("", value)[:32767]
        if value.startswith("=") or value in ERROR_CODES:
            # Written as a string: never a formula, never an error value.
            cell = WriteOnlyCell(sheet)
            cell._value = value
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def sheet_title(title, used):
    """A sheet title Excel accepts (31 characters, none of []:*?/\\), once per workbook."""
    base = SHEET_TITLE.sub(" ", str(title)).strip()[:31] or "Sheet"
    chosen, n = base, 2
    while chosen.casefold() in used:
        suffix = f" {n}"
        chosen, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(chosen.casefold())
    return chosen


def write_workbook(export, target):
    """Write the export's tables into `target` (a path or a binary file), row by row."""
    workbook = Workbook(write_only=True)
    used = set()
    language, zone = _active(export)
    with language, zone:
        for table in export.build():
            sheet = workbook.create_sheet(sheet_title(table.title, used))
            sheet.freeze_panes = "A2"
            header = []
            for title in table.header:
                cell = WriteOnlyCell(sheet)
                cell._value = ILLEGAL.sub("", str(title))
                cell.data_type = "s"
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            for row in table.rows:
                sheet.append([_xlsx_cell(sheet, value) for value in row])
        if not used:
            workbook.create_sheet("Sheet")
        workbook.save(target)


def xlsx_response(export) -> FileResponse:
    """The workbook, written to a temporary file first (deleted once sent), then streamed."""
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    try:
        write_workbook(export, target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = FileResponse(
        target, as_attachment=True, filename=f"{export.filename}.xlsx", content_type=XLSX_TYPE
    )
    # Someone's answers or concerns: never kept by a shared cache or the browser's.
    return keep_private(response)


def response_for(export, fmt):
    return xlsx_response(export) if fmt == "xlsx" else csv_response(export)
