"""The one-time key of a form that creates something, so that a form sent twice (a reload of
the answer, a double click, a copy of the tab) stores once.

Each page with such a form carries a fresh random key in a hidden field
(`{% submission_key %}`, from the `sent_once` template library). The first request that brings
the key stores what the form creates together with a hash of the key; any later request with
the same key, from the same person on the same page, gets what was stored the first time
instead of a second copy. A form sent without a key (an old page, a script) works as before."""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken

FIELD = "submission_key"

# Keys are kept this long; a page older than that stores anew.
LIFETIME = timedelta(days=1)

_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Sent:
    """What a form stored: `obj`; `again` when it was stored by an earlier request with the same
    key; `secret` is what the first answer showed and nothing else keeps (or "")."""

    obj: object
    again: bool = False
    secret: str = ""


def new_key() -> str:
    return secrets.token_urlsafe(24)


def posted_key(request) -> str | None:
    """The key the form was sent with, when it has one that could have been made here."""
    key = request.POST.get(FIELD, "")
    return key if _KEY.match(key) else None


def scope_of(request, *, anonymous=False) -> str:
    """Who sent the form and where: a key counts only for the same person on the same page.
    For an unnamed form, nobody: the page's address alone."""
    user = getattr(request, "user", None)
    who = "" if anonymous or user is None or not user.is_authenticated else str(user.pk)
    return f"{who}@{request.path}"


def digest(key: str, scope: str) -> str:
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def _fernet(key: str) -> Fernet:
    """A Fernet key derived from the form's key: only a request holding the key can read."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"seal\n{key}".encode()).digest()))


def seal(key: str, secret: str) -> str:
    """`secret` encrypted (and authenticated) with the form's key."""
    return _fernet(key).encrypt(secret.encode()).decode() if secret else ""


def unseal(key: str, sealed: str) -> str:
    """What `seal` encrypted, or "" when it cannot be read with this key."""
    if not sealed:
        return ""
    try:
        return _fernet(key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
