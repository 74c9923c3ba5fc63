"""Reading a downloaded export back, cell by cell, as a spreadsheet program would."""

import csv
import io

import openpyxl
from django.urls import reverse


def export_url(name, fmt, query="", **kwargs):
    return reverse(name, kwargs={**kwargs, "fmt": fmt}) + query


def body(response) -> bytes:
    """The whole body of a streamed or plain response."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_xlsx(response) -> dict:
    """{sheet title: [row values]} of a downloaded workbook; also each sheet's cells."""
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook
    }


def xlsx_cells(response, title=None):
    """The cells (with their types) of one sheet of a downloaded workbook."""
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = workbook[title] if title else workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


def read_csv(response) -> list:
    """The rows of a downloaded CSV, which must start with a UTF-8 byte order mark."""
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_dicts(rows) -> list[dict]:
    """Rows under their header, as dictionaries."""
    header, *rest = rows
    return [dict(zip(header, row, strict=True)) for row in rest]
