"""Benchmark the PDF reports on the large generated dataset of insight_pages.py: the annual
accountability report of the organisation with thousands of partnerships, and one round's
report.

Runs on a throwaway SQLite file, or on a throwaway test database of the PostgreSQL server
named by DATABASE_URL (real data is never touched). A report, not a test: always exits 0.

    .venv/bin/python bench/report_pdf.py [--partnerships 2000] [--rounds 10] [--repeat 3]
"""

# ruff: noqa: E402 (Django is set up before the project is imported)

import argparse
import datetime
import io
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import throwaway  # sets up Django on a throwaway database
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from insight_pages import build, signed_in_with_a_sample
from pypdf import PdfReader

from counterpart.assessments.models import Privacy, Round, RoundKind, RoundState
from counterpart.commitments.models import Commitment, CommitmentState
from counterpart.frameworks.models import FrameworkVersion
from counterpart.frameworks.selectors import version_content
from counterpart.funding.models import Flow, FlowKind, FlowSource, ReceiverClass
from counterpart.insights import scoring
from counterpart.insights.models import RoundSummary
from counterpart.insights.selectors import items_of
from counterpart.insights.services import summary_fields
from counterpart.partnerships.models import Party, Side

TARGET_S = 10  # the annual report of a large organisation, made while the person waits
TARGET_MB = 300  # peak resident memory of the process while it is made
TRANSACTION = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)
FLOWS_PER_PARTNERSHIP = 4
FEEDBACK_ROUNDS = 2
FEEDBACK_PARTNERS = 60


def add_the_year(funder, partnerships, viewer, seed=11):
    """What the annual report reads beside the rounds: this year's funding flows, partner
    feedback rounds released this year, and commitments agreed after the rounds."""
    rng = random.Random(seed)
    year = timezone.localdate().year
    today = timezone.localdate()
    partner_of = dict(
        Party.objects.filter(partnership__in=partnerships, side=Side.LOCAL).values_list(
            "partnership_id", "organisation_id"
        )
    )
    flows = []
    for n, partnership in enumerate(partnerships):
        for k in range(FLOWS_PER_PARTNERSHIP):
            day = datetime.date(year, 1, 1) + datetime.timedelta(
                days=rng.randint(0, max(0, (today - datetime.date(year, 1, 1)).days))
            )
            local = rng.random() < 0.7
            flows.append(
                Flow(
                    organisation=funder,
                    kind=FlowKind.DISBURSEMENT,
                    source=FlowSource.MANUAL,
                    source_key=f"bench-{n}-{k}",
                    partnership=partnership,
                    date=day,
                    amount=Decimal(rng.randint(5, 200) * 1000),
                    currency="USD",
                    receiver_organisation_id=partner_of[partnership.pk] if local else None,
                    receiver_name="" if local else f"Intermediary {n % 40:02d}",
                    receiver_class="" if local else ReceiverClass.NOT_LOCAL,
                    receiver_key="" if local else f"name:intermediary {n % 40:02d}",
                    flexible=rng.random() < 0.3,
                    multi_year=rng.random() < 0.4,
                    overhead_rate=Decimal(rng.choice([0, 5, 7, 10])) if local else None,
                    country=partnership.countries[0] if partnership.countries else "",
                    humanitarian=True,
                )
            )
    with transaction.atomic():
        Flow.objects.bulk_create(flows, batch_size=2000)

    version = (
        FrameworkVersion.objects.filter(framework__organisation__isnull=True)
        .order_by("-number")
        .first()
    )
    content = version_content(version)
    items = items_of(content)
    local_questions = [
        q for q in content.questions if q.part == "relationship" and q.side == Side.LOCAL
    ]
    for r in range(FEEDBACK_ROUNDS):
        released = timezone.now() - datetime.timedelta(days=20 + 90 * r)
        round_ = Round.objects.create(
            kind=RoundKind.POOLED,
            organisation=funder,
            title=f"Partner feedback {year} ({r + 1})",
            framework_version=version,
            opens_on=(released - datetime.timedelta(days=21)).date(),
            closes_on=(released - datetime.timedelta(days=1)).date(),
            closes_at=released,
            privacy=Privacy.ANONYMOUS,
            threshold=5,
            state=RoundState.RELEASED,
            opened_at=released - datetime.timedelta(days=21),
            closed_at=released,
            released_at=released,
        )
        given = [
            scoring.Given(q.name, Side.LOCAL, str(rng.randint(1, 5)))
            for _person in range(FEEDBACK_PARTNERS)
            for q in local_questions
        ]
        counts = {Side.LOCAL: FEEDBACK_PARTNERS}
        RoundSummary.objects.create(
            round=round_, **summary_fields(round_, scoring.summarise(items, given), counts, counts)
        )

    latest = {}
    for round_id, partnership_id, released_at in (
        Round.objects.filter(partnership__in=partnerships)
        .order_by("partnership_id", "-released_at")
        .values_list("pk", "partnership_id", "released_at")
    ):
        latest.setdefault(partnership_id, (round_id, released_at))
    states = [CommitmentState.ACTIVE, CommitmentState.KEPT, CommitmentState.DROPPED]
    commitments = []
    for partnership in partnerships[::2]:
        round_id, released_at = latest[partnership.pk]
        for k in range(2):
            agreed = released_at + datetime.timedelta(days=7)
            due = agreed + datetime.timedelta(days=rng.randint(20, 120))
            state = rng.choice(states)
            commitments.append(
                Commitment(
                    partnership=partnership,
                    round_id=round_id,
                    title=f"Commitment {k + 1} of {partnership.title}",
                    element="transparency",
                    owner_side=Side.INTERNATIONAL,
                    owner=viewer,
                    owner_organisation=funder,
                    due_on=due.date(),
                    due_at=due,
                    evidence_expected="The partner's sign-off.",
                    state=state,
                    proposed_side=Side.INTERNATIONAL,
                    agreed_at=agreed,
                    done_reported_at=due if state == CommitmentState.KEPT else None,
                    kept_at=due if state == CommitmentState.KEPT else None,
                )
            )
    with transaction.atomic():
        Commitment.objects.bulk_create(commitments, batch_size=2000)
    return year, len(flows), len(commitments)


def _status_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def vm_hwm_mb():
    """The peak resident memory of this process so far (VmHWM), in MB."""
    found = _status_mb("VmHWM")
    return found if found is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vm_rss_mb():
    """The resident memory of this process now, in MB."""
    return _status_mb("VmRSS") or 0.0


def reset_peak():
    """Start VmHWM again from the current resident memory (Linux); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure(client, url, repeat):
    """(the PDF, median s, queries, pages, bytes, resident MB before, peak MB of the process,
    tracemalloc peak MB of one more run)."""
    client.get(url)  # warm-up: fonts, templates, first-use imports
    before = vm_rss_mb()
    times = []
    peak_rss = 0.0
    for _ in range(repeat):
        reset_peak()
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        peak_rss = max(peak_rss, vm_hwm_mb())
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len([q for q in queries if not TRANSACTION.match(q["sql"].strip())])
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    tracemalloc.start()
    client.get(url)
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (
        response.content,
        statistics.median(times),
        count,
        pages,
        len(response.content),
        before,
        peak_rss,
        traced / 2**20,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10, help="released rounds per partnership")
    parser.add_argument("--repeat", type=int, default=3, help="timed downloads per report")
    parser.add_argument("--save", metavar="DIR", help="also write the PDFs into this folder")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with throwaway.database() as database:
        print(f"PDF reports benchmark on {database}")
        funder, small, viewer, partnerships, answers = build(args.partnerships, args.rounds)
        year, flows, commitments = add_the_year(funder, partnerships, viewer)
        print(
            f"Dataset: {len(partnerships):,} partnerships of one organisation, "
            f"{Round.objects.count():,} rounds, {answers:,} answers; this year {flows:,} "
            f"flows, {FEEDBACK_ROUNDS} partner feedback rounds, {commitments:,} commitments.\n"
        )
        client, sample = signed_in_with_a_sample(viewer, partnerships)
        reports = [
            (f"annual report {year}, {len(partnerships):,} partnerships", funder.pk, None),
            (f"annual report {year}, 10 partnerships", small.pk, None),
            ("round report (3 responses)", None, sample.pk),
        ]
        print(
            "Server time (Django test client: no network or browser), peak resident memory of\n"
            "the process while the report is made (VmHWM), and the peak of Python's own\n"
            "allocations in one more run (tracemalloc).\n"
        )
        head = (
            f"{'report':<42} {'median s':>9} {'queries':>8} {'pages':>6} {'KB':>6}"
            f" {'RSS before':>11} {'peak RSS':>9} {'traced MB':>10}"
        )
        print(head)
        print("-" * len(head))
        results = {}
        for name, organisation_id, round_id in reports:
            if round_id is None:
                url = f"/organisations/{organisation_id}/report/{year}.pdf"
            else:
                url = f"/rounds/{round_id}/report.pdf"
            content, median, count, pages, size, before, rss, traced = measure(
                client, url, args.repeat
            )
            if args.save:
                name_ = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                (Path(args.save) / f"{name_}.pdf").write_bytes(content)
            results[name] = (median, count, rss)
            print(
                f"{name:<42} {median:>9.2f} {count:>8} {pages:>6} {size / 1024:>6.0f}"
                f" {before:>11.0f} {rss:>9.0f} {traced:>10.1f}"
            )
        large, small_ = (results[reports[0][0]], results[reports[1][0]])
        ok_time = large[0] < TARGET_S
        ok_memory = large[2] < TARGET_MB
        same = large[1] == small_[1]
        print(
            f"\nAnnual report of the large organisation: {large[0]:.1f} s "
            + (f"(target under {TARGET_S} s: met)" if ok_time else f"(OVER {TARGET_S} s)")
            + f"; peak memory {large[2]:.0f} MB "
            + (f"(target under {TARGET_MB} MB: met)" if ok_memory else f"(OVER {TARGET_MB} MB)")
        )
        print(
            f"Queries: {small_[1]} for 10 partnerships, {large[1]} for "
            f"{len(partnerships):,}: " + ("the same." if same else "NOT the same.")
        )
        print("All targets met." if ok_time and ok_memory and same else "Some targets NOT met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
