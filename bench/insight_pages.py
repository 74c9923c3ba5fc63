"""Benchmark the insight pages on a large generated dataset: one organisation with thousands of
partnerships, ten released rounds each, and millions of answers.

Runs on a throwaway SQLite file, or on a throwaway test database of the PostgreSQL server
named by DATABASE_URL (real data is never touched). A report, not a test: always exits 0.

    .venv/bin/python bench/insight_pages.py [--partnerships 2000] [--rounds 10]
"""

# ruff: noqa: E402 (Django is set up before the project is imported)

import argparse
import datetime
import random
import re
import statistics
import sys
import time

import throwaway  # sets up Django on a throwaway database
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counterpart.assessments.models import (
    Answer,
    Privacy,
    Response,
    Round,
    RoundKind,
    RoundState,
)
from counterpart.frameworks.models import FrameworkVersion
from counterpart.frameworks.selectors import version_content
from counterpart.insights import scoring
from counterpart.insights.models import RoundSummary
from counterpart.insights.selectors import items_of
from counterpart.insights.services import summary_fields
from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role
from counterpart.partnerships.models import Partnership, Party, PartyRole, Side, Stage

TARGET_MS = 300
TRANSACTION = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)
COUNTRIES = ["KE", "JO", "CO", "UG", "LB", "BD", "TR", "ET"]
STAGES = [Stage.CO_DESIGN, Stage.AGREEMENT, Stage.IMPLEMENTATION, Stage.REVIEW]
LOCAL_PER_ROUND = 2  # with one international respondent: three responses per round


def _value(rng, lean):
    """An agreement answer leaning towards `lean` (1–5), now and then "I don't know"."""
    if rng.random() < 0.05:
        return "dont_know"
    return str(min(5, max(1, round(rng.gauss(lean, 1)))))


def build(partnership_count, rounds_per, seed=7):
    """The dataset, written in bulk. The kept scores of each round are worked out with the
    same functions a real release uses (scoring.summarise and services.summary_fields)."""
    rng = random.Random(seed)
    started = time.perf_counter()
    users = get_user_model().objects
    version = (
        FrameworkVersion.objects.filter(framework__organisation__isnull=True)
        .order_by("-number")
        .first()
    )
    content = version_content(version)
    items = items_of(content)
    questions = {
        side: [q for q in content.questions if q.part == "relationship" and q.side == side]
        for side in Side.values
    }
    per_stage = {
        stage: [
            q for q in content.questions if q.stage == stage and q.part in ("checklist", "fact")
        ]
        for stage in Stage.values
    }
    choices = {}
    for choice in content.choices:
        choices.setdefault(choice.list_name, []).append(choice.value)

    funder = Organisation.objects.create(
        name="Large Funder", kind=OrganisationKind.INTERNATIONAL_NGO, country="GB"
    )
    viewer = users.create_user(email="viewer@funder.example.org", full_name="Portfolio Reader")
    Membership.objects.create(organisation=funder, user=viewer, role=Role.VIEWER)
    partners = Organisation.objects.bulk_create(
        Organisation(
            name=f"Partner {n:04d}",
            kind=OrganisationKind.REFUGEE_LED if n % 3 == 0 else OrganisationKind.NATIONAL_NGO,
            refugee_led=n % 3 == 0,
            country=COUNTRIES[n % len(COUNTRIES)],
        )
        for n in range(max(1, partnership_count // 4))
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            title=f"Partnership {n:05d}",
            stage=STAGES[n % len(STAGES)],
            countries=[COUNTRIES[n % len(COUNTRIES)]],
        )
        for n in range(partnership_count)
    )
    Party.objects.bulk_create(
        party
        for n, partnership in enumerate(partnerships)
        for party in (
            Party(
                partnership=partnership,
                organisation=funder,
                side=Side.INTERNATIONAL,
                role=PartyRole.FUNDING,
            ),
            Party(
                partnership=partnership,
                organisation=partners[n % len(partners)],
                side=Side.LOCAL,
                role=PartyRole.IMPLEMENTING,
            ),
        )
    )
    now = timezone.now()
    answers_written = 0
    for start in range(0, len(partnerships), 100):
        batch = partnerships[start : start + 100]
        rounds, responses, answers, summaries = [], [], [], []
        for partnership in batch:
            lean_intl = rng.uniform(3.5, 4.8)
            lean_local = rng.uniform(1.8, 4.5)
            for r in range(rounds_per):
                # Every partnership's latest round falls within the last year.
                released = now - datetime.timedelta(days=30 + 180 * (rounds_per - 1 - r))
                released -= datetime.timedelta(hours=rng.randint(0, 23 * 24))
                stage = partnership.stage
                rounds.append(
                    Round(
                        kind=RoundKind.PARTNERSHIP,
                        organisation=funder,
                        partnership=partnership,
                        title=f"{partnership.title} · round {r + 1}",
                        stage=stage,
                        framework_version=version,
                        opens_on=(released - datetime.timedelta(days=21)).date(),
                        closes_on=(released - datetime.timedelta(days=1)).date(),
                        closes_at=released,
                        privacy=Privacy.ORGANISATION,
                        state=RoundState.RELEASED,
                        international_accepted_at=released,
                        local_accepted_at=released,
                        opened_at=released - datetime.timedelta(days=21),
                        closed_at=released,
                        released_at=released,
                    )
                )
                rounds[-1]._leans = (lean_intl, lean_local)
        Round.objects.bulk_create(rounds)
        for round_ in rounds:
            lean_intl, lean_local = round_._leans
            given = []
            people = [(Side.INTERNATIONAL, lean_intl)] + [
                (Side.LOCAL, lean_local)
            ] * LOCAL_PER_ROUND
            for side, lean in people:
                response = Response(round=round_, side=side, submitted_on=round_.closes_on)
                responses.append(response)
                for question in questions[side]:
                    value = _value(rng, lean)
                    answers.append(
                        Answer(response=response, question_id=question.pk, side=side, value=value)
                    )
                    given.append(scoring.Given(question.name, side, value))
                for question in per_stage[round_.stage]:
                    options = choices.get(question.list_name)
                    if options:
                        value = rng.choice(options)
                    elif question.base_type in ("integer", "decimal"):
                        value = str(rng.randint(0, 20))
                    else:
                        continue
                    answers.append(
                        Answer(response=response, question_id=question.pk, side=side, value=value)
                    )
                    given.append(scoring.Given(question.name, side, value))
            summary = scoring.summarise(items, given)
            counts = {Side.INTERNATIONAL: 1, Side.LOCAL: LOCAL_PER_ROUND}
            summaries.append(
                RoundSummary(round=round_, **summary_fields(round_, summary, counts, counts))
            )
        with transaction.atomic():
            Response.objects.bulk_create(responses, batch_size=2000)
            Answer.objects.bulk_create(answers, batch_size=2000)
            RoundSummary.objects.bulk_create(summaries, batch_size=2000)
        answers_written += len(answers)
        done = start + len(batch)
        if done % 500 == 0 or done == len(partnerships):
            print(
                f"  {done} partnerships, {done * rounds_per} rounds, {answers_written:,} answers"
                f" ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    # A second, small organisation: its portfolio shows whether queries grow with size.
    small = Organisation.objects.create(
        name="Small Funder", kind=OrganisationKind.INTERNATIONAL_NGO, country="GB"
    )
    Membership.objects.create(organisation=small, user=viewer, role=Role.VIEWER)
    Party.objects.bulk_create(
        Party(partnership=p, organisation=small, side=Side.INTERNATIONAL, role=PartyRole.LEAD)
        for p in partnerships[:10]
    )
    return funder, small, viewer, partnerships, answers_written


def measure(client, url, repeat):
    client.get(url)  # warm-up: caches, first-use imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len([q for q in queries if not TRANSACTION.match(q["sql"].strip())])
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], count


def signed_in_with_a_sample(viewer, partnerships):
    """Fresh planner statistics, a client signed in as `viewer`, and a released round of the
    middle partnership to measure on."""
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(viewer)
    sample = Round.objects.filter(partnership=partnerships[len(partnerships) // 2]).order_by(
        "-released_at"
    )[0]
    return client, sample


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10, help="released rounds per partnership")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()
    # Not setup_test_environment(): it makes every template render copy its context for the
    # test client, which a real server never does.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with throwaway.database() as database:
        print(f"Insight pages benchmark on {database}")
        funder, small, viewer, partnerships, answers = build(args.partnerships, args.rounds)
        print(
            f"Dataset: {len(partnerships):,} partnerships of one organisation, "
            f"{Round.objects.count():,} released rounds, {Response.objects.count():,} responses, "
            f"{answers:,} answers.\n"
        )
        client, sample = signed_in_with_a_sample(viewer, partnerships)
        pages = [
            ("portfolio (gap, last 12 months)", f"/organisations/{funder.pk}/portfolio/"),
            (
                "portfolio (own view, all time, by title, page 7)",
                f"/organisations/{funder.pk}/portfolio/?view=own&period=all&sort=title&page=7",
            ),
            (
                "portfolio (Kenya, refugee-led partners)",
                f"/organisations/{funder.pk}/portfolio/?country=KE&partner=rlo",
            ),
            ("round results", f"/rounds/{sample.pk}/results/"),
            ("dialogue guide", f"/rounds/{sample.pk}/dialogue/"),
            ("partnership trend", f"/partnerships/{sample.partnership_id}/trend/"),
        ]
        print("Server time in ms (Django test client: no network, web server or browser).\n")
        head = f"{'page':<50} {'median':>8} {'p95':>8} {'queries':>8}  verdict"
        print(head)
        print("-" * len(head))
        all_ok = True
        for name, url in pages:
            median, p95, count = measure(client, url, args.repeat)
            ok = median < TARGET_MS
            all_ok &= ok
            verdict = f"ok (< {TARGET_MS} ms)" if ok else f"OVER TARGET ({TARGET_MS} ms)"
            print(f"{name:<50} {median:>8.1f} {p95:>8.1f} {count:>8}  {verdict}")
        _m, _p, small_count = measure(client, f"/organisations/{small.pk}/portfolio/", 3)
        _m, _p, large_count = measure(client, f"/organisations/{funder.pk}/portfolio/", 3)
        same = small_count == large_count
        all_ok &= same
        print(
            f"\nPortfolio queries: {small_count} for 10 partnerships, {large_count} for "
            f"{len(partnerships):,} partnerships: " + ("the same." if same else "NOT the same.")
        )
        print("All targets met." if all_ok else "Some targets NOT met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
