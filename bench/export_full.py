"""Benchmark the XLSX and CSV exports on a large dataset: time and peak memory of a round's
responses and of an organisation's funding flows, at one size and at four times that size, to
show that memory does not grow with the rows.

Runs on a throwaway SQLite file, or on a throwaway test database of the PostgreSQL server
named by DATABASE_URL (real data is never touched). A report, not a test: always exits 0.

    .venv/bin/python bench/export_full.py [--partnerships 200] [--responses 5000] [--flows 25000]
"""

# ruff: noqa: E402 (Django is set up before the project is imported)

import argparse
import datetime
import json
import os
import random
import resource
import sys
import time
import tracemalloc

import throwaway  # sets up Django on a throwaway database
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone
from insight_pages import build

from counterpart.assessments.models import Answer, Privacy, Response, Round, RoundKind, RoundState
from counterpart.frameworks.models import FrameworkVersion
from counterpart.frameworks.selectors import version_content
from counterpart.funding.models import ExchangeRate, Flow, FlowKind, FlowSource, ReceiverClass
from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role
from counterpart.partnerships.models import Side

BATCH = 5000
COUNTRIES = ["KE", "JO", "CO", "UG", "LB", "BD", "TR", "ET"]
CLASSES = [ReceiverClass.LOCAL, ReceiverClass.REFUGEE_LED, ReceiverClass.NOT_LOCAL]


def big_round(funder, responses, rng):
    """A released partner feedback round (anonymous) of the funder, with `responses` partners'
    answers to every relationship question of the local side, written in bulk."""
    version = (
        FrameworkVersion.objects.filter(framework__organisation__isnull=True)
        .order_by("-number")
        .first()
    )
    questions = [
        q
        for q in version_content(version).questions
        if q.part == "relationship" and q.side == Side.LOCAL
    ]
    now = timezone.now()
    round_ = Round.objects.create(
        kind=RoundKind.POOLED,
        organisation=funder,
        title=f"Partner feedback, {responses:,} partners",
        framework_version=version,
        opens_on=(now - datetime.timedelta(days=30)).date(),
        closes_on=(now - datetime.timedelta(days=1)).date(),
        closes_at=now - datetime.timedelta(days=1),
        privacy=Privacy.ANONYMOUS,
        state=RoundState.RELEASED,
        threshold=5,
        opened_at=now - datetime.timedelta(days=30),
        closed_at=now - datetime.timedelta(days=1),
        released_at=now - datetime.timedelta(days=1),
    )
    monday = round_.closes_on - datetime.timedelta(days=round_.closes_on.weekday())
    for start in range(0, responses, BATCH):
        rows, answers = [], []
        for _n in range(start, min(start + BATCH, responses)):
            response = Response(round=round_, side=Side.LOCAL, submitted_on=monday)
            rows.append(response)
            lean = rng.uniform(1.5, 4.8)
            for question in questions:
                value = (
                    "dont_know"
                    if rng.random() < 0.05
                    else str(min(5, max(1, round(rng.gauss(lean, 1)))))
                )
                answers.append(
                    Answer(response=response, question_id=question.pk, side=Side.LOCAL, value=value)
                )
        with transaction.atomic():
            Response.objects.bulk_create(rows, batch_size=2000)
            Answer.objects.bulk_create(answers, batch_size=2000)
    return round_, len(questions)


def many_flows(name, count, viewer, rng):
    """An organisation with `count` funding flows (a third in euros), written in bulk."""
    organisation = Organisation.objects.create(
        name=name, kind=OrganisationKind.INTERNATIONAL_NGO, country="GB"
    )
    Membership.objects.create(organisation=organisation, user=viewer, role=Role.VIEWER)
    ExchangeRate.objects.create(
        organisation=organisation, currency="EUR", valid_from=datetime.date(2015, 1, 1), rate=1.1
    )
    start = datetime.date(2018, 1, 1)
    for first in range(0, count, BATCH):
        Flow.objects.bulk_create(
            Flow(
                organisation=organisation,
                kind=FlowKind.DISBURSEMENT if n % 4 else FlowKind.COMMITMENT,
                source=FlowSource.CSV,
                source_key=f"bench:{n}",
                date=start + datetime.timedelta(days=n % 2900),
                amount=rng.randint(1_000, 500_000),
                currency="EUR" if n % 3 == 0 else "USD",
                provider_name="Large Funder",
                receiver_name=f"Partner {n % 3000:04d}",
                receiver_key=f"name:partner {n % 3000:04d}",
                receiver_class=CLASSES[n % len(CLASSES)],
                country=COUNTRIES[n % len(COUNTRIES)],
                humanitarian=n % 2 == 0,
                flexible=n % 5 == 0,
                multi_year=n % 7 == 0,
                overhead_rate=10 if n % 3 else None,
                intermediaries=["Regional Office"] if n % 6 == 0 else [],
                note=f"Grant {n}",
            )
            for n in range(first, min(first + BATCH, count))
        )
    return organisation


def _status(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024  # MB
    return None


def _child(viewer_id, url, traced, pipe):
    """Download `url` as the viewer, reading the body chunk by chunk, and report."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # start the resident-memory high-water mark afresh
    except OSError:
        pass
    before = _status("VmRSS")
    client = Client()
    client.force_login(get_user_model().objects.get(pk=viewer_id))
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    report = {
        "status": response.status_code,
        "bytes": size,
        "seconds": seconds,
        "traced_peak_mb": peak / 2**20 if peak is not None else None,
        "rss_before_mb": before,
        "rss_peak_mb": _status("VmHWM"),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    os.write(pipe, json.dumps(report).encode())
    os.close(pipe)


def measure(viewer, url, traced):
    """One download in a child process, so that its memory is its own."""
    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            _child(viewer.pk, url, traced, write)
        except BaseException as error:  # report, never fall back into the parent's code
            print(f"  child failed: {error!r}", file=sys.stderr)
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data) if data else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=200, help="for the background data")
    parser.add_argument("--rounds", type=int, default=10, help="released rounds per partnership")
    parser.add_argument("--responses", type=int, default=5000, help="of the big round, at 1x")
    parser.add_argument("--flows", type=int, default=25000, help="of the organisation, at 1x")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(11)
    with throwaway.database() as database:
        print(f"Export benchmark on {database}")
        started = time.perf_counter()
        funder, _small, viewer, partnerships, answers = build(args.partnerships, args.rounds)
        sizes = {}
        for factor in (1, 4):
            round_, per = big_round(funder, args.responses * factor, rng)
            flows = many_flows(f"Flows {factor}x", args.flows * factor, viewer, rng)
            sizes[factor] = (round_, flows)
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"Dataset ({time.perf_counter() - started:.0f} s): {len(partnerships):,} partnerships,"
            f" {Round.objects.count():,} rounds, {Response.objects.count():,} responses,"
            f" {Answer.objects.count():,} answers, {Flow.objects.count():,} flows.\n"
            f"Big partner feedback rounds: {args.responses:,} and {4 * args.responses:,}"
            f" responses of {per} answers each (anonymous: ordered by their answers);"
            f" flows: {args.flows:,} and {4 * args.flows:,}.\n"
        )
        exports = [
            ("responses CSV", lambda r, f: f"/rounds/{r.pk}/responses.csv"),
            ("responses XLSX", lambda r, f: f"/rounds/{r.pk}/responses.xlsx"),
            ("flows CSV", lambda r, f: f"/organisations/{f.pk}/funding/flows.csv"),
            ("flows XLSX", lambda r, f: f"/organisations/{f.pk}/funding/flows.xlsx"),
            ("results CSV (aggregate)", lambda r, f: f"/rounds/{r.pk}/results.csv"),
        ]
        # Warm-up in this process, which each measured child copies: imports, the URL
        # configuration, templates and the framework's text are loaded before any measure.
        warm = Client()
        warm.force_login(viewer)
        for _name, url_for in exports:
            for _chunk in warm.get(url_for(*sizes[1])).streaming_content:
                pass
        head = (
            f"{'export':<25} {'size':>4} {'rows':>8} {'MB out':>7} {'time s':>7}"
            f" {'traced peak MB':>15} {'RSS peak MB':>12} {'RSS growth MB':>14}"
            f" {'ru_maxrss MB':>13}"
        )
        print(head)
        print("-" * len(head))
        results = {}
        for name, url_for in exports:
            for factor in (1, 4):
                round_, flows = sizes[factor]
                url = url_for(round_, flows)
                plain = measure(viewer, url, traced=False)
                traced = measure(viewer, url, traced=True)
                if not plain or not traced or plain["status"] != 200:
                    print(f"{name:<25} {factor}x  failed: {plain}")
                    continue
                rows = args.responses * factor if "responses" in name else args.flows * factor
                if "results" in name:
                    rows = args.responses * factor
                results[(name, factor)] = (plain, traced)
                print(
                    f"{name:<25} {factor:>3}x {rows:>8,} {plain['bytes'] / 2**20:>7.1f}"
                    f" {plain['seconds']:>7.2f} {traced['traced_peak_mb']:>15.1f}"
                    f" {plain['rss_peak_mb']:>12} "
                    f"{plain['rss_peak_mb'] - plain['rss_before_mb']:>14}"
                    f" {plain['ru_maxrss_mb']:>13.0f}"
                )
        print()
        for name, _url in exports:
            if (name, 1) in results and (name, 4) in results:
                one, four = results[(name, 1)][1], results[(name, 4)][1]
                ratio = four["traced_peak_mb"] / max(one["traced_peak_mb"], 0.001)
                verdict = "flat" if ratio < 1.5 else "grows with the rows"
                print(
                    f"{name:<25} traced peak {one['traced_peak_mb']:.1f} MB at 1x,"
                    f" {four['traced_peak_mb']:.1f} MB at 4x: x{ratio:.2f} ({verdict})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
