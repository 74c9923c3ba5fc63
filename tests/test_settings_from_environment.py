"""Operators configure Counterpart with environment variables only."""

import json
import os
import subprocess
import sys

PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'db': s.DATABASES['default']['NAME'], 'mail': s.EMAIL_BACKEND, "
    "'host': getattr(s, 'EMAIL_HOST', ''), 'port': getattr(s, 'EMAIL_PORT', 0), "
    "'tls': getattr(s, 'EMAIL_USE_TLS', False), 'secure': s.SESSION_COOKIE_SECURE, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'hosts': s.ALLOWED_HOSTS, 'key': s.SECRET_KEY, "
    "'tasks': s.TASKS['default']['BACKEND'], 'open': s.OPEN_REGISTRATION}))"
)


def settings_with(tmp_path, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "EMAIL_", "COUNTERPART_", "SECRET_KEY"))
    }
    env.update(DJANGO_SETTINGS_MODULE="counterpart.settings", COUNTERPART_VAR_DIR=str(tmp_path))
    env.update(variables)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_defaults_are_sqlite_under_var_and_mail_to_the_console(tmp_path):
    s = settings_with(tmp_path)
    assert s["engine"] == "counterpart.common.sqlite"
    assert s["db"] == str(tmp_path / "counterpart.sqlite3")
    assert s["mail"] == "django.core.mail.backends.console.EmailBackend"
    assert s["secure"] is False
    # A key is made once and kept outside the repository.
    assert (tmp_path / "secret-key").read_text().strip() == s["key"]
    assert settings_with(tmp_path)["key"] == s["key"]


def test_production_variables_are_honoured(tmp_path):
    s = settings_with(
        tmp_path,
        DATABASE_URL="postgres://app:pw@db.internal:5432/counterpart",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        COUNTERPART_HTTPS="1",
        ALLOWED_HOSTS="counterpart.example.org",
        SECRET_KEY="from-the-environment",
        COUNTERPART_TASKS="database",
        COUNTERPART_OPEN_REGISTRATION="0",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["db"] == "counterpart"
    assert s["mail"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["host"], s["port"], s["tls"]) == ("smtp.example.org", 587, True)
    assert s["secure"] is True and s["hsts"] > 0
    assert s["hosts"] == ["counterpart.example.org"]
    assert s["key"] == "from-the-environment"
    assert s["tasks"] == "django_tasks_db.DatabaseBackend"
    assert s["open"] is False
    assert not (tmp_path / "secret-key").exists()
