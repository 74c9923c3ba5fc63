"""gunicorn with the repository's settings (deploy/gunicorn.conf.py) keeps answering while slow
clients hold connections, and the pages reached without an account refuse a large body with
413 before reading it."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import make_round, respondent_client

REPO = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


@pytest.mark.django_db
def test_a_respondent_page_refuses_a_huge_body_without_reading_it(world):
    round_ = make_round(world)
    client = respondent_client(round_.respondents.first())
    # The header says 200 MB; the body is empty, and never read.
    response = client.post(
        "/respond/page/1/",
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is too large" in page
    assert "Nothing was saved" in page
    # In the reader's language.
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").post(
        "/respond/start/", data=b"", content_type="text/plain", CONTENT_LENGTH="5000000"
    )
    assert response.status_code == 413
    assert 'lang="fr"' in response.content.decode()
    # The public concerns channel too.
    response = Client().post(
        "/concerns/to/any-key/", data=b"", content_type="text/plain", CONTENT_LENGTH="5000000"
    )
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_normal_answer_is_not_refused(world):
    round_ = make_round(world)
    client = respondent_client(round_.respondents.first())
    response = client.post("/respond/start/", {"language": "en", "note": "x" * 100_000})
    assert response.status_code != 413


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port, path="/accounts/login/", timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.decode(errors="replace")


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_gunicorn_answers_while_slow_clients_hold_connections(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "COUNTERPART_", "SECRET_KEY", "GUNICORN_"))
    }
    # A new SQLite database: the sign-in page needs no table. Two processes of 20 threads
    # (the file's default is three) still leave threads free beside thirty slow clients.
    env.update(
        COUNTERPART_VAR_DIR=str(tmp_path),
        COUNTERPART_MANIFEST_STATIC="0",
        GUNICORN_WORKERS="2",
        LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen(
        [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stop = threading.Event()
    slow = []
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert _get(port, timeout=5).startswith("HTTP/1.1 200")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)

        # Thirty clients that send their headers one byte at a time, never finishing.
        def trickle(sock):
            header = b"X-Slow: " + b"a" * 4000
            for byte in header:
                if stop.wait(0.3):
                    return
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    return

        for _n in range(30):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
            threading.Thread(target=trickle, args=(sock,), daemon=True).start()
        time.sleep(1.5)

        started = time.monotonic()
        for _n in range(5):
            answer = _get(port)
            assert answer.startswith("HTTP/1.1 200"), answer[:200]
            assert answer.rstrip().endswith("</html>")
        assert time.monotonic() - started < 5
        assert server.poll() is None
    finally:
        stop.set()
        for sock in slow:
            sock.close()
        server.send_signal(signal.SIGQUIT)  # stop at once
        server.wait(timeout=30)
