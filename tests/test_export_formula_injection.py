"""Text people typed that a spreadsheet would run as a formula is neutralised: in a CSV it
gets a leading apostrophe; in an XLSX it is a string cell, never a formula."""

import io
import zipfile

from counterpart.partnerships.models import Side

from .conftest import raise_concern, record_flow, released_round
from .export_reading import as_dicts, body, export_url, read_csv, xlsx_cells

HOSTILE = {
    "=": '=HYPERLINK("https://evil.example.org","Open")',
    "+": "+1+1",
    "-": "-2+3",
    "@": "@SUM(A1:A9)",
}


def _round(world):
    given = {
        "respect_advice_intl": "2",
        "check_implementation_checkins": "partly",
        "check_implementation_checkins_note": HOSTILE["="],
    }
    local = {
        "respect_advice_local": "5",
        "check_implementation_checkins": "done",
        "check_implementation_checkins_note": HOSTILE["@"],
    }
    return released_round(world, {Side.INTERNATIONAL: [given], Side.LOCAL: [local]})


def _formulas(response):
    """The formula elements of every sheet of a downloaded workbook."""
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    return [
        name
        for name in archive.namelist()
        if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
    ]


def test_a_comment_that_looks_like_a_formula_is_neutralised(world):
    round_ = _round(world)
    client = world.client_for(world.intl_viewer)
    rows = as_dicts(
        read_csv(client.get(export_url("export_round_responses", "csv", round_id=round_.pk)))
    )
    notes = [row["check_implementation_checkins_note"] for row in rows]
    assert notes == ["'" + HOSTILE["="], "'" + HOSTILE["@"]]
    rows = as_dicts(
        read_csv(client.get(export_url("export_round_results", "csv", round_id=round_.pk)))
    )
    comments = sorted(row["Text"] for row in rows if row["Measure code"] == "comment")
    assert comments == sorted(["'" + HOSTILE["="], "'" + HOSTILE["@"]])
    # A negative number is a number, not text: no apostrophe.
    gaps = {row["Gap"] for row in rows if row["Element code"] == "respect" and row["Gap"]}
    assert gaps == {"-75"}
    for name in ("export_round_responses", "export_round_results"):
        response = client.get(export_url(name, "xlsx", round_id=round_.pk))
        assert _formulas(response) == []
        cells = [
            c
            for row in xlsx_cells(client.get(export_url(name, "xlsx", round_id=round_.pk)))
            for c in row
        ]
        hostile = [c for c in cells if c.value == HOSTILE["="]]
        assert hostile and all(c.data_type == "s" for c in hostile)


def test_a_concern_and_a_flow_note_are_neutralised(world):
    raise_concern(world, description=HOSTILE["="] + " and more")
    record_flow(world, "2025-01-01", "10", receiver_name="Partner", note=HOSTILE["-"])
    record_flow(world, "2025-01-02", "10", receiver_name=HOSTILE["+"], note="#N/A")
    admin = world.client_for(world.intl_admin)
    concerns = export_url("export_concerns", "csv", organisation_id=world.intl.pk)
    (row,) = as_dicts(read_csv(admin.get(concerns)))
    assert row["What happened"] == "'" + HOSTILE["="] + " and more"
    flows = export_url("export_flows", "csv", organisation_id=world.intl.pk)
    rows = as_dicts(read_csv(admin.get(flows)))
    assert [r["Note"] for r in rows] == ["#N/A", "'" + HOSTILE["-"]]
    assert rows[0]["Receiver"] == "'" + HOSTILE["+"]
    for url in (concerns, flows):
        response = admin.get(url.replace(".csv", ".xlsx"))
        assert _formulas(response) == []
    cells = [c for row in xlsx_cells(admin.get(flows.replace(".csv", ".xlsx"))) for c in row]
    # Written as text, kept exactly as typed (no apostrophe added in a workbook).
    error_like = [c for c in cells if c.value == "#N/A"]
    assert error_like and all(c.data_type == "s" for c in error_like)
    assert any(c.value == HOSTILE["-"] and c.data_type == "s" for c in cells)
