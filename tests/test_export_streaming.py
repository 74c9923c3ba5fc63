"""Exports stream: a CSV is sent as it is read, a workbook is written row by row to a
temporary file, the database is read in batches whose number of queries does not grow with
the rows, and memory stays flat as the rows grow."""

import io
import tracemalloc

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from counterpart.assessments.services import round_close
from counterpart.partnerships.models import Side
from counterpart.reports import writers

from .conftest import (
    agreed_commitment,
    make_pooled_round,
    raise_concern,
    record_flow,
    released_round,
    submit_answers,
)
from .export_reading import body, export_url


def _queries(client, url):
    """The number of queries of a download, from the request to its last byte."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        body(response)
    return len(queries)


def _feedback(world, people):
    round_ = make_pooled_round(world, people=people, threshold=3)
    for n, respondent in enumerate(round_.respondents.all()):
        submit_answers(
            respondent, {"respect_advice_local": str(1 + n % 5), "voice_design_local": "3"}
        )
    round_close(actor=world.intl_editor, round_=round_)
    return round_


def test_a_rounds_exports_read_the_same_number_of_queries_for_3_or_12_responses(world):
    small, large = _feedback(world, 3), _feedback(world, 12)
    client = world.client_for(world.intl_viewer)
    for name in ("export_round_responses", "export_round_results"):
        for fmt in ("csv", "xlsx"):
            counts = [
                _queries(client, export_url(name, fmt, round_id=round_.pk))
                for round_ in (small, large)
            ]
            assert counts[0] == counts[1], (name, fmt, counts)
            assert counts[1] <= 20, (name, fmt, counts)


def test_named_rounds_too(world):
    one = {
        Side.INTERNATIONAL: [{"respect_advice_intl": "4"}],
        Side.LOCAL: [{"respect_advice_local": "2"}],
    }
    many = {
        Side.INTERNATIONAL: [{"respect_advice_intl": "4"}] * 3,
        Side.LOCAL: [{"respect_advice_local": "2"}] * 5,
    }
    small = released_round(world, one, privacy="named")
    large = released_round(world, many, privacy="named")
    client = world.client_for(world.local_viewer)
    counts = [
        _queries(client, export_url("export_round_responses", "csv", round_id=r.pk))
        for r in (small, large)
    ]
    assert counts[0] == counts[1]


def test_the_other_exports_read_the_same_number_of_queries_for_few_or_many_rows(world):
    client = world.client_for(world.intl_admin)
    urls = {
        "flows": export_url("export_flows", "csv", organisation_id=world.intl.pk),
        "concerns": export_url("export_concerns", "xlsx", organisation_id=world.intl.pk),
        "commitments": export_url(
            "export_organisation_commitments", "xlsx", organisation_id=world.intl.pk
        ),
    }
    round_ = released_round(
        world,
        {
            Side.INTERNATIONAL: [{"respect_advice_intl": "4"}],
            Side.LOCAL: [{"respect_advice_local": "2"}],
        },
    )

    def add(n):
        for i in range(n):
            record_flow(world, "2025-01-01", str(10 + i))
            raise_concern(world, category="respect")
            agreed_commitment(world, round_, title=f"Commitment {i}")

    add(1)
    client.get(urls["commitments"])  # the framework's text is read once per process
    few = {name: _queries(client, url) for name, url in urls.items()}
    add(6)
    many = {name: _queries(client, url) for name, url in urls.items()}
    assert few == many


def test_nothing_is_read_before_the_csv_is_sent(world):
    round_ = _feedback(world, 3)
    client = world.client_for(world.intl_viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(export_url("export_round_responses", "csv", round_id=round_.pk))
    assert isinstance(response, StreamingHttpResponse)
    assert not any('"assessments_answer"' in q["sql"] for q in queries)
    with CaptureQueriesContext(connection) as queries:
        body(response)
    assert any('"assessments_answer"' in q["sql"] for q in queries)
    response = client.get(export_url("export_round_responses", "xlsx", round_id=round_.pk))
    assert isinstance(response, FileResponse)


def _export(rows, size=60):
    def build():
        line = ["x" * size, 12345, "=not a formula", None, True]
        return [writers.Table("Rows", ["a", "b", "c", "d", "e"], (line for _ in range(rows)))]

    return writers.Export(filename="test", build=build, language="en")


def _peak(write):
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_when_the_rows_grow():
    for fmt in ("csv", "xlsx"):

        def write(rows, fmt=fmt):
            if fmt == "csv":
                for _chunk in writers._csv_stream(_export(rows)):
                    pass
            else:
                writers.write_workbook(_export(rows), _Sink())

        small, large = _peak(lambda: write(5_000)), _peak(lambda: write(20_000))
        # Four times the rows, and not even half as much memory again.
        assert large < small * 1.5, (fmt, small, large)


class _Sink(io.RawIOBase):
    """A file that forgets what is written to it (the zip needs tell())."""

    def __init__(self):
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.size += len(data)
        return len(data)

    def tell(self):
        return self.size

    def seekable(self):
        return False


def test_a_large_csv_is_sent_in_chunks():
    chunks = list(writers._csv_stream(_export(5_000)))
    assert len(chunks) > 3
    assert chunks[0].startswith("\ufeffa,b,c,d,e\r\n")
    assert all(len(chunk) < writers.CSV_CHUNK + 200 for chunk in chunks)
    assert "'=not a formula" in chunks[1]
