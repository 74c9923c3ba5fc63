"""Several workers or hosts share one cache and one file storage.

The counters of the rate limits and of the API's throttle are added to in one step in the cache,
so two processes counting at once never lose a count, and a counter that expires between being
made and being added to is made again. Two application processes, each with its own working
folder and temporary folder, against one database, one Redis server and one media folder
(standing in for the object store): a limit reached through one is enforced by the other, and a
file received by one is read by the other, or by a task worker on a third."""

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from counterpart.common import ratelimit

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
needs_redis = pytest.mark.skipif(
    not os.access(REDIS_SERVER, os.X_OK),
    reason="redis-server is not installed (Debian package redis-server)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, what, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} was not ready after {seconds} seconds")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis server of this module's own, on a free port, keeping nothing on disk."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def answers():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    try:
        wait_until(answers, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def shared_cache(redis_url):
    """Django's RedisCache on the module's server, emptied before the test."""
    shared = RedisCache(redis_url, {"KEY_PREFIX": "tests"})
    shared.clear()
    yield shared
    shared.close()


# --- The counter ----------------------------------------------------------------------------


def test_a_counter_starts_at_one_and_counts_each_key_apart(monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", LocMemCache("counter-test", {}))
    assert [ratelimit.count("a", 60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("b", 60) == 1


class ExpiresBetweenAddAndIncr:
    """A cache whose counter expires once, just after `add` made it."""

    def __init__(self):
        self.inner = LocMemCache("expiring", {})
        self.expired_once = False
        self.calls = []

    def add(self, key, value, timeout):
        self.calls.append("add")
        return self.inner.add(key, value, timeout=timeout)

    def incr(self, key):
        self.calls.append("incr")
        if not self.expired_once:
            self.expired_once = True
            self.inner.delete(key)
        return self.inner.incr(key)

    def touch(self, key, timeout):
        self.calls.append("touch")
        return self.inner.touch(key, timeout)

    def set(self, key, value, timeout):  # pragma: no cover - must not be needed
        raise AssertionError("the counter is made again with add, never overwritten")


def test_a_counter_that_expires_between_add_and_incr_is_made_again(monkeypatch):
    fake = ExpiresBetweenAddAndIncr()
    monkeypatch.setattr(ratelimit, "cache", fake)
    assert ratelimit.count("k", 60) == 1
    assert fake.calls == ["add", "incr", "add", "incr", "touch"]
    assert ratelimit.count("k", 60) == 2


@needs_redis
def test_every_count_is_kept_when_workers_count_together(shared_cache, monkeypatch):
    """`count` itself, from many threads each with its own connection: every number once."""
    clients = threading.local()

    class PerThread:
        def __getattr__(self, name):
            if not hasattr(clients, "cache"):
                clients.cache = RedisCache(shared_cache._servers[0], {"KEY_PREFIX": "tests"})
            return getattr(clients.cache, name)

    monkeypatch.setattr(ratelimit, "cache", PerThread())
    threads, per_thread, seen = 8, 25, []
    barrier = threading.Barrier(threads)

    def run():
        barrier.wait()
        seen.extend(ratelimit.count("together", 60) for _ in range(per_thread))

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert sorted(seen) == list(range(1, threads * per_thread + 1))


@needs_redis
def test_a_counter_in_redis_always_ends_with_its_window(shared_cache, monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", shared_cache)
    ratelimit.count("window", 30)
    client = shared_cache._cache.get_client()
    key = shared_cache.make_key("window")
    assert 0 < client.ttl(key) <= 30
    # Redis's INCR on a counter that expired a moment before leaves one without a lifetime;
    # the next count gives it back.
    client.persist(key)
    assert client.ttl(key) == -1
    assert ratelimit.count("window", 30) == 2
    assert 0 < client.ttl(key) <= 30


def test_without_its_cache_a_limit_lets_the_request_through_and_says_so(
    monkeypatch, caplog, settings
):
    away = RedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )
    monkeypatch.setattr(ratelimit, "cache", away)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "1/hour"}
    with caplog.at_level(logging.ERROR, logger="counterpart.common.ratelimit"):
        assert ratelimit.count("k", 60) == 0
        ratelimit.hit("signup", "198.51.100.1")
        ratelimit.hit("signup", "198.51.100.1")
    assert "The cache did not answer" in caplog.text


def test_the_api_throttle_counts_with_the_same_counter(world, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    from .conftest import api_client

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/hour"})
    client = api_client(world.intl_viewer)
    codes = [client.get("/api/organisations/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    keys = [key for key in cache._cache if "ratelimit:api:" in key]
    # Named by a keyed hash: neither the person's id nor an address is in the name.
    assert len(keys) == 1 and f"_{world.intl_viewer.pk}" not in keys[0]


# --- Settings -------------------------------------------------------------------------------

PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "from django.core.files.storage import storages; d = storages['default']; "
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], "
    "'location': s.CACHES['default'].get('LOCATION', ''), "
    "'storage': type(d).__name__, 'options': s.STORAGES['default']['OPTIONS']}))"
)


def settings_with(tmp_path, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "COUNTERPART_", "AWS_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="counterpart.settings", COUNTERPART_VAR_DIR=str(tmp_path))
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=tmp_path
    )


def test_by_default_the_cache_is_in_memory_and_files_are_in_a_local_folder(tmp_path):
    found = json.loads(settings_with(tmp_path).stdout)
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["storage"] == "FileSystemStorage"
    assert found["options"] == {"location": str(tmp_path / "media")}
    shared = json.loads(settings_with(tmp_path, COUNTERPART_MEDIA_DIR="/srv/shared/media").stdout)
    assert shared["options"] == {"location": "/srv/shared/media"}


def test_a_shared_cache_and_an_object_store_are_chosen_with_variables(tmp_path):
    found = json.loads(
        settings_with(
            tmp_path,
            COUNTERPART_CACHE_URL="redis://cache.internal:6379/2",
            COUNTERPART_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="counterpart-files",
            AWS_S3_ENDPOINT_URL="https://objects.example.org",
            AWS_S3_REGION_NAME="eu-west-1",
        ).stdout
    )
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["location"] == "redis://cache.internal:6379/2"
    assert found["storage"] == "S3Storage"
    assert found["options"]["bucket_name"] == "counterpart-files"
    assert found["options"]["endpoint_url"] == "https://objects.example.org"
    assert found["options"]["region_name"] == "eu-west-1"
    assert found["options"]["file_overwrite"] is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"COUNTERPART_CACHE_URL": "memcached://127.0.0.1:11211"}, "must name a Redis server"),
        ({"COUNTERPART_STORAGE": "s3"}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"COUNTERPART_STORAGE": "ftp"}, "may be 'filesystem' (the default) or 's3'"),
    ],
)
def test_a_mistaken_variable_stops_the_start_with_the_reason(tmp_path, variables, message):
    result = settings_with(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


# --- Two application processes --------------------------------------------------------------

SETUP = """
import json, sys, django
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
from counterpart.api.services import api_token_create
from tests.conftest import agreed_commitment, make_world, released_round

if "migrate" in sys.argv:
    call_command("migrate", verbosity=0)
# Nobody signs in with a password here: a quick hash will do.
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
world = make_world()
round_ = released_round(world, {"international": [{}], "local": [{}]})
commitment = agreed_commitment(world, round_)

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

print(json.dumps({
    "commitment": commitment.pk,
    "organisation": world.intl.pk,
    "editor": session(world.intl_editor),
    "viewer": session(world.local_viewer),
    "token": api_token_create(actor=world.intl_viewer, name="Two hosts")[1],
}))
"""


def shared_database(request, folder: Path) -> dict:
    """The variables that name the database every process shares: this run's PostgreSQL test
    database when DATABASE_URL is set (emptied again after the test), else a new SQLite file."""
    if os.environ.get("DATABASE_URL"):
        request.getfixturevalue("transactional_db")
        given = connection.settings_dict
        credentials = quote(given["USER"] or "", safe="")
        if given.get("PASSWORD"):
            credentials += ":" + quote(given["PASSWORD"], safe="")
        host = f"{given['HOST'] or '127.0.0.1'}:{given['PORT'] or 5432}"
        return {"DATABASE_URL": f"postgres://{credentials}@{host}/{given['NAME']}"}
    return {"SQLITE_PATH": str(folder / "counterpart.sqlite3")}


class Host:
    """One application process (gunicorn, one worker) with folders of its own."""

    def __init__(self, name, folder: Path, env: dict):
        self.name = name
        self.folder = folder
        self.port = free_port()
        for part in ("cwd", "tmp", "var"):
            (folder / part).mkdir(parents=True)
        self.env = {
            **env,
            "TMPDIR": str(folder / "tmp"),
            "COUNTERPART_VAR_DIR": str(folder / "var"),
        }
        self.log = open(folder / "log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args, **kwargs):
        return subprocess.run(
            args, env=self.env, cwd=self.folder / "cwd", capture_output=True, text=True,
            timeout=120, **kwargs,
        )  # fmt: skip

    def start(self, *command):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            command or
            [gunicorn, "counterpart.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "60", "--no-control-socket"],
            env=self.env, cwd=self.folder / "cwd", stdout=self.log, stderr=self.log,
        )  # fmt: skip

    def wait_ready(self):
        import requests

        def ready():
            assert self.process.poll() is None, self.logs()
            try:
                return requests.get(self.url + "/accounts/login/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(ready, f"Host {self.name}", seconds=30)

    def logs(self):
        self.log.flush()
        return (self.folder / "log").read_text(errors="replace")[-3000:]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def browser(host, session=None):
    import requests

    client = requests.Session()
    client.trust_env = False  # never through a proxy of the environment
    if session:
        client.cookies.set("sessionid", session, domain="127.0.0.1")
    client.base = host.url
    return client


def csrf(client, path):
    page = client.get(client.base + path, timeout=10)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@needs_redis
def test_two_hosts_share_the_limits_and_the_files(request, tmp_path, redis_url):
    from .conftest import signup_data

    shared = tmp_path / "shared"
    (shared / "media").mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "COUNTERPART_", "SQLITE_PATH", "AWS_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="counterpart.settings",
        SECRET_KEY="the-same-key-on-every-host-" + "x" * 30,
        ALLOWED_HOSTS="127.0.0.1",
        COUNTERPART_CACHE_URL=redis_url.rsplit("/", 1)[0] + "/1",
        COUNTERPART_MEDIA_DIR=str(shared / "media"),
        COUNTERPART_TASKS="database",
        COUNTERPART_MANIFEST_STATIC="0",
        COUNTERPART_RATE_SIGNUP="3/hour",
        COUNTERPART_API_RATE="4/hour",
        PYTHONDONTWRITEBYTECODE="1",
        **shared_database(request, shared),
    )
    a, b, worker = (Host(name, tmp_path / name, env) for name in ("a", "b", "worker"))
    setup = Host("setup", tmp_path / "setup", {**env, "PYTHONPATH": str(ROOT)})
    request.addfinalizer(lambda: [host.stop() for host in (a, b, worker, setup)])
    # The hosts start while the database is made ready: they touch it only on a request.
    RedisCache(env["COUNTERPART_CACHE_URL"], {}).clear()
    a.start()
    b.start()
    made = setup.run(sys.executable, "-c", SETUP, *(["migrate"] if "SQLITE_PATH" in env else []))
    assert made.returncode == 0, made.stderr
    given = json.loads(made.stdout.strip().splitlines()[-1])
    a.wait_ready()
    b.wait_ready()

    # Registrations from one address, sent to either host, count together: 3 an hour.
    outcomes = []
    for n, host in enumerate([a, b, a, b, a]):
        visitor = browser(host)
        token = csrf(visitor, "/accounts/signup/")
        data = signup_data(email=f"person{n}@example.org", organisation_name=f"Collective {n}")
        answer = visitor.post(
            host.url + "/accounts/signup/",
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": host.url + "/accounts/signup/"},
            allow_redirects=False,
            timeout=30,
        )
        outcomes.append((host.name, answer.status_code))
    assert outcomes == [("a", 302), ("b", 302), ("a", 302), ("b", 429), ("a", 429)]

    # The API's throttle counts one person's requests on both hosts: 4 an hour.
    bearer = {"Authorization": f"Bearer {given['token']}"}
    codes = [
        browser(host).get(host.url + "/api/organisations/", headers=bearer, timeout=10).status_code
        for host in (a, b, a, b, a, b)
    ]
    assert codes == [200, 200, 200, 200, 429, 429]

    # Evidence received by A (large enough to wait in A's temporary folder first) is
    # downloaded through B.
    evidence = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024)
    editor = browser(a, given["editor"])
    page = f"/commitments/{given['commitment']}/"
    sent = editor.post(
        a.url + page + "report/",
        data={"note": "Budget revision shared.", "csrfmiddlewaretoken": csrf(editor, page)},
        files={"file": ("revision.pdf", evidence, "application/pdf")},
        headers={"Referer": a.url + page},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 302, sent.text[:1000]
    viewer = browser(b, given["viewer"])
    shown = viewer.get(b.url + page, timeout=10).text
    link = re.search(r'href="(/commitments/evidence/\d+/)"', shown).group(1)
    download = viewer.get(b.url + link, timeout=30)
    assert download.status_code == 200
    assert download.content == evidence
    assert list((shared / "media" / "evidence").rglob("*")), "kept in the shared storage"

    # A funding file received by A waits in the shared storage; a worker on a third host
    # reads it, and B shows the outcome.
    flows = (
        "reference,date,kind,provider,receiver,receiver_iati_identifier,receiver_type,country,"
        "amount,currency,humanitarian,intermediaries,flexible,multi_year,overhead_rate,note\n"
        "R1,2025-02-01,disbursement,,Camp Youth Network,,,KE,40000,USD,yes,,yes,yes,10,\n"
    )
    imports = f"/organisations/{given['organisation']}/funding/imports/new/"
    queued = editor.post(
        a.url + imports,
        data={"kind": "csv", "csrfmiddlewaretoken": csrf(editor, imports)},
        files={"file": ("flows.csv", flows.encode(), "text/csv")},
        headers={"Referer": a.url + imports},
        allow_redirects=False,
        timeout=30,
    )
    assert queued.status_code == 302, queued.text[:1000]
    detail = queued.headers["Location"]
    assert list((shared / "media" / "funding-imports").iterdir()), "waits in the storage"
    reader = browser(b, given["editor"])
    assert "The file waits to be read" in reader.get(b.url + detail, timeout=10).text
    worker.start(
        sys.executable, "-m", "django", "db_worker", "--no-startup-delay", "--interval", "0.2"
    )

    def finished():
        assert worker.process.poll() is None, worker.logs()
        return "<dd>Waiting</dd>" not in reader.get(b.url + detail, timeout=10).text

    wait_until(finished, "The import")
    assert "<dd>Done</dd>" in reader.get(b.url + detail, timeout=10).text, worker.logs()
    assert not list((shared / "media" / "funding-imports").iterdir()), "deleted once read"

    # Nothing was kept in the hosts' own folders.
    for host in (a, b, worker):
        left = [
            path.relative_to(host.folder)
            for part in ("cwd", "tmp", "var")
            for path in (host.folder / part).rglob("*")
        ]
        assert left == [], (host.name, left)
