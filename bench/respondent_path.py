"""Benchmark the respondent path of an assessment round: personal link, start page, every
question page, review and submit, for many respondents in turn.

Runs on a throwaway SQLite file, or on a throwaway test database of the PostgreSQL server
named by DATABASE_URL (real data is never touched). A report, not a test: always exits 0.

    .venv/bin/python bench/respondent_path.py [--respondents 30]
"""

# ruff: noqa: E402 (Django is set up before the project is imported)

import argparse
import datetime
import gzip
import re
import statistics
import sys
import time
from collections import defaultdict

import throwaway  # sets up Django on a throwaway database
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
)
from django.utils import timezone

from counterpart.assessments import services
from counterpart.frameworks.models import FrameworkVersion
from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role
from counterpart.partnerships.models import PartyRole, Side, Stage
from counterpart.partnerships.services import partnership_propose, proposal_accept

MAX_KB = 30
MAX_QUERIES = 10
KINDS = ["enter link", "start GET", "page GET", "page POST", "review GET", "submit POST"]
SCALE = re.compile(r'name="([a-z0-9_]+)" value="4"')
# SQLite logs its BEGIN IMMEDIATE and COMMIT, PostgreSQL does not: count data statements only.
TRANSACTION = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


def make_round(local_respondents, privacy="organisation"):
    """Two organisations, a partnership and an open round on the built-in framework."""
    users = get_user_model().objects
    intl = Organisation.objects.create(
        name="Global Aid Partners", kind=OrganisationKind.INTERNATIONAL_NGO, country="GB"
    )
    local = Organisation.objects.create(
        name="Camp Youth Network", kind=OrganisationKind.REFUGEE_LED, country="KE", refugee_led=True
    )
    intl_editor = users.create_user(email="intl@example.org", full_name="Intl Editor")
    local_editor = users.create_user(email="local@example.org", full_name="Local Editor")
    Membership.objects.create(organisation=intl, user=intl_editor, role=Role.EDITOR)
    Membership.objects.create(organisation=local, user=local_editor, role=Role.EDITOR)
    local_admin = users.create_user(email="local-admin@example.org", full_name="Local Admin")
    Membership.objects.create(organisation=local, user=local_admin, role=Role.ADMIN)
    partnership = partnership_propose(
        actor=intl_editor,
        organisation=intl,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=local,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage=Stage.CO_DESIGN,
        title="Youth protection in the camp",
        countries=["KE"],
    )
    proposal_accept(actor=local_admin, proposal=partnership.proposals.get())
    today = timezone.localdate()
    round_ = services.round_create(
        actor=intl_editor,
        partnership=partnership,
        organisation=intl,
        title="Check-in",
        stage=Stage.IMPLEMENTATION,
        framework_version=FrameworkVersion.objects.get(
            framework__organisation__isnull=True, number=1
        ),
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        privacy=privacy,
        conversation_mode=False,
    )
    services.round_accept(actor=local_editor, round_=round_, side=Side.LOCAL)
    add = services.respondent_add
    add(actor=intl_editor, round_=round_, side=Side.INTERNATIONAL, email="amira@intl.example.org")
    local_people = [
        add(actor=local_editor, round_=round_, side=Side.LOCAL, email=f"p{n}@local.example.org")
        for n in range(local_respondents)
    ]
    services.round_open(actor=intl_editor, round_=round_)
    return local_people


def measure(samples, kind, call):
    """Run one request, recording its time, query count and (for pages) compressed weight."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - start) * 1000
    expected = 200 if kind.endswith("GET") else 302
    if response.status_code != expected:
        raise SystemExit(f"{kind}: status {response.status_code}, expected {expected}")
    count = sum(not TRANSACTION.match(q["sql"]) for q in queries.captured_queries)
    samples[kind].append((elapsed, count, len(gzip.compress(response.content, 6)) / 1024))
    return response


def answer(respondent, samples):
    """One respondent's whole path, from the personal link to the submitted answers."""
    client = Client()
    link = services.respondent_link(respondent).removeprefix(settings.SITE_URL)
    measure(samples, "enter link", lambda: client.get(link))
    measure(samples, "start GET", lambda: client.get("/respond/start/"))
    client.post("/respond/start/", {"language": "en"})
    page = 1
    while True:
        url = f"/respond/page/{page}/"
        html = measure(samples, "page GET", lambda u=url: client.get(u)).content.decode()
        data = dict.fromkeys(SCALE.findall(html), "4")
        response = measure(samples, "page POST", lambda u=url, d=data: client.post(u, d))
        if response["Location"].endswith("/respond/review/"):
            break
        page += 1
    measure(samples, "review GET", lambda: client.get("/respond/review/"))
    measure(samples, "submit POST", lambda: client.post("/respond/review/"))
    return page


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(samples, pages):
    people = len(samples["submit POST"])
    print(f"\n{people} respondents after one warm-up, {pages} question pages each.")
    print("Server time in ms; page weight gzip -6 in KB.\n")
    head = f"{'request':<12} {'n':>4} {'median':>7} {'p95':>7} {'queries':>13} {'weight':>13}"
    print(head + "  verdict")
    print("-" * (len(head) + 9))
    all_ok = True
    for kind in KINDS:
        times, counts, weights = zip(*samples[kind], strict=True)
        queries = max(counts)
        ok = queries < MAX_QUERIES
        weight = "-"
        if kind.endswith("GET"):
            weight = f"{max(weights):.1f} (<{MAX_KB})"
            ok = ok and max(weights) < MAX_KB
        all_ok = all_ok and ok
        print(
            f"{kind:<12} {len(times):>4} {statistics.median(times):>7.1f} {p95(times):>7.1f}"
            f" {f'{queries} (<{MAX_QUERIES})':>13} {weight:>13}  {'ok' if ok else 'OVER TARGET'}"
        )
    print("\nqueries (BEGIN/COMMIT/SAVEPOINT not counted) and weight: the maximum of that kind.")
    print("All targets met." if all_ok else "Some targets NOT met (see OVER TARGET rows).")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=30, help="respondents who answer")
    parser.add_argument("--asked", type=int, default=50, help="local respondents asked")
    args = parser.parse_args()
    setup_test_environment()  # locmem email, 'testserver' allowed
    with throwaway.database() as database:
        print(f"Respondent path benchmark on {database}")
        people = make_round(max(args.asked, args.respondents + 1))
        samples = defaultdict(list)
        answer(people[0], defaultdict(list))  # warm-up: caches, first-use imports
        for respondent in people[1 : args.respondents + 1]:
            pages = answer(respondent, samples)
        report(samples, pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
