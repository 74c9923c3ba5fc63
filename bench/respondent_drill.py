"""A drill of the respondent path under load, through gunicorn, checked in the database after.

Many people answer one named round at the same moment, each in a browser of their own, against
gunicorn with several workers as the deployment guide runs it. Some click "submit" twice at
once, some submit from two devices at once, and some save a page on one device while they
submit on another. Afterwards the drill reads the database and checks what Counterpart promises:

- one response per person, whatever the races; every acknowledged submit is stored;
- a page whose save was acknowledged is in that person's submitted answers;
- the round closed and its answers unsealed when the last person submitted;
- no request answered with a server error.

Runs on a throwaway SQLite file, or on a throwaway test database of the PostgreSQL server named
by DATABASE_URL (real data is never touched). Exits 1 when a promise is broken.

    .venv/bin/python bench/respondent_drill.py [--clients 200] [--workers 5]
"""

# ruff: noqa: E402 (Django is set up before the project is imported)

import argparse
import http.cookiejar
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests
import throwaway  # sets up Django on a throwaway database
from django.conf import settings
from django.db import connection
from django.test.utils import setup_test_environment
from respondent_path import make_round

from counterpart.assessments import services
from counterpart.assessments.models import Answer, Respondent, Response, RoundState
from counterpart.partnerships.models import Side

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCALE = re.compile(r'name="([a-z0-9_]+)" value="4"')
# The respondent's signed cookie holds quoted JSON, which browsers keep as it is and Python's
# cookie jar does not: each browser of the drill keeps its cookies as they were sent.
COOKIE = re.compile(r'^\s*([^=;\s]+)=("(?:[^"\\]|\\.)*"|[^;]*)')


class Browser(requests.Session):
    """A session that keeps cookies exactly as the server set them."""

    def __init__(self, kept=None):
        super().__init__()
        self.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.kept = dict(kept or {})

    def request(self, method, url, **kwargs):
        cookies = "; ".join(f"{name}={value}" for name, value in self.kept.items())
        kwargs["headers"] = {**kwargs.get("headers", {}), "Cookie": cookies}
        response = super().request(method, url, **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            found = COOKIE.match(header)
            if found and "Max-Age=0" in header:
                self.kept.pop(found.group(1), None)
            elif found:
                self.kept[found.group(1)] = found.group(2)
        return response


# What each person does at the end: submit once, click twice, submit from two devices, or save
# the first page again (answering 2) on one device while submitting on the other.
PLANS = ["once", "double click", "two devices", "save while submitting"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment():
    """The environment of the gunicorn processes: the same database and secret key as here."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="counterpart.settings",
        SECRET_KEY=settings.SECRET_KEY,
        COUNTERPART_MANIFEST_STATIC="0",
        COUNTERPART_DEBUG="0",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1",
    )
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = settings.DATABASES["default"]["NAME"]
        env.pop("DATABASE_URL", None)
    else:
        base = env["DATABASE_URL"].rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{connection.settings_dict['NAME']}"
    return env


def start_gunicorn(port, workers):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "counterpart.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
    ]
    config = ROOT / "deploy" / "gunicorn.conf.py"
    if config.exists():
        command[2:2] = ["--config", str(config)]
    server = subprocess.Popen(command, cwd=ROOT, env=server_environment())
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
            return server
        except requests.RequestException:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


class Person:
    """One person's browser, and what the server acknowledged to it."""

    def __init__(self, base, respondent, plan):
        self.base = base
        self.respondent = respondent
        self.plan = plan
        self.session = Browser()
        self.submits_acknowledged = 0
        self.late_save_acknowledged = False
        self.first_page_fields = []
        self.statuses = Counter()

    def request(self, session, method, path, data=None):
        response = session.request(
            method,
            self.base + path,
            data=data,
            allow_redirects=False,
            timeout=120,
            headers={"Referer": self.base + path},
        )
        self.statuses[response.status_code] += 1
        return response

    def post_form(self, session, path, data):
        page = self.request(session, "GET", path)
        token = CSRF.search(page.text)
        if token is None:
            return page, []
        fields = sorted(set(SCALE.findall(page.text)))
        values = {name: "4" for name in fields} if data is None else data(fields)
        values["csrfmiddlewaretoken"] = token.group(1)
        return self.request(session, "POST", path, values), fields

    def answer_pages(self):
        link = services.respondent_link(self.respondent).removeprefix(settings.SITE_URL)
        self.request(self.session, "GET", link)
        self.post_form(self.session, "/respond/start/", lambda _fields: {"language": "en"})
        page = 1
        while True:
            response, fields = self.post_form(self.session, f"/respond/page/{page}/", None)
            if page == 1:
                self.first_page_fields = fields
            if response.status_code != 302:
                return False
            if response.headers["Location"].endswith("/respond/review/"):
                return True
            page += 1

    def second_browser(self):
        """The same person on another tab (double click) or device (a new session)."""
        if self.plan == "double click":
            return Browser(self.session.kept)
        other = Browser()
        link = services.respondent_link(self.respondent).removeprefix(settings.SITE_URL)
        self.request(other, "GET", link)
        self.post_form(other, "/respond/start/", lambda _fields: {"language": "en"})
        return other

    def prepare(self):
        """Open the review page (and the second tab or device) and return the requests that
        finish this person's answers, to be sent all at the same moment."""
        review = self.request(self.session, "GET", "/respond/review/")
        token = CSRF.search(review.text).group(1)
        actions = [lambda: self.submit(self.session, token)]
        if self.plan in ("double click", "two devices"):
            other = self.second_browser()
            other_token = CSRF.search(self.request(other, "GET", "/respond/review/").text)
            actions.append(lambda: self.submit(other, other_token.group(1)))
        elif self.plan == "save while submitting":
            other = self.second_browser()
            page = self.request(other, "GET", "/respond/page/1/")
            data = {name: "2" for name in self.first_page_fields}
            data["csrfmiddlewaretoken"] = CSRF.search(page.text).group(1)
            actions.append(lambda: self.save_first_page(other, data))
        return actions

    def submit(self, session, token):
        response = self.request(session, "POST", "/respond/review/", {"csrfmiddlewaretoken": token})
        if response.status_code == 302 and response.headers["Location"].endswith("/respond/done/"):
            self.submits_acknowledged += 1

    def save_first_page(self, session, data):
        response = self.request(session, "POST", "/respond/page/1/", data)
        self.late_save_acknowledged = response.status_code == 302


def run_people(people):
    """Everyone answers their pages at once; then all finish together, at one moment."""
    together = threading.Barrier(len(people), timeout=900)

    def one(person):
        actions = []
        try:
            if person.answer_pages():
                actions = person.prepare()
        except requests.RequestException as error:
            person.statuses[f"connection error: {type(error).__name__}"] += 1
        together.wait()
        threads = [threading.Thread(target=action) for action in actions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    threads = [threading.Thread(target=one, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def check(round_, people):
    """What the database holds, against what the server acknowledged. Returns the problems."""
    problems = []
    responses = Counter(
        Response.objects.filter(round=round_).values_list("respondent_id", flat=True)
    )
    for person in people:
        stored = responses.get(person.respondent.pk, 0)
        if stored > 1:
            problems.append(f"{person.respondent.email}: {stored} responses stored")
        if not person.submits_acknowledged:
            problems.append(f"{person.respondent.email}: could not submit")
        if person.submits_acknowledged > 1:
            problems.append(f"{person.respondent.email}: two submits acknowledged")
        if person.submits_acknowledged and not stored:
            problems.append(f"{person.respondent.email}: acknowledged submit not stored")
        if person.late_save_acknowledged and stored:
            values = set(
                Answer.objects.filter(
                    response__respondent=person.respondent,
                    question__name__in=person.first_page_fields,
                ).values_list("value", flat=True)
            )
            if values != {"2"}:
                problems.append(f"{person.respondent.email}: acknowledged page missing")
    used = Respondent.objects.filter(round=round_, used=True).count()
    if used != sum(responses.values()):
        problems.append(f"{used} people marked as answered, {sum(responses.values())} responses")
    round_.refresh_from_db()
    everyone = all(p.submits_acknowledged for p in people)
    if everyone and round_.state != RoundState.RELEASED:
        problems.append(f"everyone submitted, yet the round is {round_.state}")
    errors = sum(n for p in people for s, n in p.statuses.items() if str(s)[0] in "5c")
    if errors:
        problems.append(f"{errors} server or connection errors")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200, help="people answering at once")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup_test_environment()  # mail stays in memory
    random.seed(args.seed)
    with throwaway.database() as database:
        print(f"Respondent drill on {database}, {args.clients} people, {args.workers} workers")
        local = make_round(args.clients - 1, privacy="named")
        round_ = local[0].round
        everyone = [round_.respondents.get(side=Side.INTERNATIONAL), *local]
        people = [Person("", r, PLANS[i % len(PLANS)]) for i, r in enumerate(everyone)]
        connection.close()  # gunicorn's workers write to this database now
        port = free_port()
        server = start_gunicorn(port, args.workers)
        try:
            for person in people:
                person.base = f"http://127.0.0.1:{port}"
            began = time.perf_counter()
            run_people(people)
            elapsed = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
        statuses = sum((p.statuses for p in people), Counter())
        print(f"{sum(statuses.values())} requests in {elapsed:.1f} s; statuses: {dict(statuses)}")
        for plan in PLANS:
            group = [p for p in people if p.plan == plan]
            acknowledged = sum(p.submits_acknowledged for p in group)
            line = f"  {plan:<22} {len(group):>4} people, {acknowledged:>4} submits acknowledged"
            if plan == "save while submitting":
                saved = sum(p.late_save_acknowledged for p in group)
                line += f", {saved} late page saves acknowledged (the rest refused)"
            print(line)
        problems = check(round_, people)
        stored = Response.objects.filter(round=round_).count()
        round_.refresh_from_db()
        print(f"{stored} responses stored for {len(people)} people; the round is {round_.state}")
        for problem in problems[:20]:
            print("PROBLEM:", problem)
        print("All promises held." if not problems else f"{len(problems)} problems.")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
