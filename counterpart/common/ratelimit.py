"""Limits that make cheap attacks dear: how often one address may register, or one organisation
send invitations, in a given time.

Each limit is a short-lived counter in Django's cache, kept for one period and named by its
scope and a keyed hash of whom it counts (an address is never kept as it is). Nothing about the
visitor is stored in the database. The limits are set in settings.RATE_LIMITS as "count/period"
(period: second, minute, hour or day).

With several workers or hosts, the cache is one Redis server that all of them share
(COUNTERPART_CACHE_URL); `count` adds to a counter there in one step, so two workers counting
at the same moment never both see the same number.

Over the limit, `hit` raises RateLimited before anything is stored or sent; RateLimitMiddleware
answers it with 429 and a page that says what happened. A service that raises it inside its
transaction leaves nothing behind."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .client_address import client_address

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 60 * 60, "day": 60 * 60 * 24}
KEY_SALT = "counterpart.common.ratelimit"

MESSAGES = {
    "signup": _(
        "Too many registrations came from your connection in a short time. Nothing was saved "
        "and no email was sent. Wait an hour and try again."
    ),
    "invitation": _(
        "Your organisation has sent many invitations today. Nothing was saved and no email was "
        "sent. Try again tomorrow."
    ),
    "concern": _(
        "Too many concerns came from your connection in a short time. Nothing was saved. Wait "
        "an hour and try again."
    ),
    "partner_lookup": _(
        "You looked up many organisations in a short time. Nothing was saved. Wait an hour "
        "and try again."
    ),
}
DEFAULT_MESSAGE = _("Too many requests in a short time. Nothing was saved. Try again later.")


class RateLimited(Exception):
    """A limit was reached; `retry_after` is the number of seconds until it resets."""

    def __init__(self, message, retry_after):
        super().__init__(str(message))
        self.message = message
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate such as 5/hour, as (5, 3600)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()]


def _key(scope: str, who, window: int) -> str:
    digest = salted_hmac(KEY_SALT, f"{scope}:{who}").hexdigest()
    return f"ratelimit:{scope}:{window}:{digest}"


def window(period: int, now: float | None = None) -> tuple[int, int]:
    """The number of the current window of `period` seconds, and the seconds left in it."""
    now = time.time() if now is None else now
    number = int(now // period)
    return number, max(1, int((number + 1) * period - now))


def count(key: str, timeout: int, *, attempts: int = 3) -> int:
    """Add one to the counter `key` and return its new value. A counter that does not exist
    yet starts at 0 and lives `timeout` seconds from now.

    Atomic on a shared cache: `add` makes the counter only if no other process has, and `incr`
    adds one in the cache itself. A counter that expires between the two is made again. If the
    cache does not answer, the error is logged and 0 is returned: the limit is then not
    enforced, rather than every request failing while the cache is away."""
    try:
        for _attempt in range(attempts):
            cache.add(key, 0, timeout=timeout)
            try:
                value = cache.incr(key)
            except ValueError:  # it expired between add and incr
                continue
            # Some backends restart the lifetime on each increment, and Redis makes a counter
            # without any lifetime if it expired just before the increment: keep the window's
            # end either way.
            cache.touch(key, timeout)
            return value
        # The cache forgets the counter as soon as it is made (full, or a timeout of 0).
        cache.set(key, 1, timeout=timeout)
        return 1
    except Exception:
        logger.exception("The cache did not answer; a rate limit was not counted.")
        return 0


def add_one(scope: str, who, period: int) -> tuple[int, int]:
    """Count one more action of `who` in `scope`, in the current window of `period` seconds:
    the count so far in this window, and the seconds until the window ends."""
    number, remaining = window(period)
    return count(_key(scope, who, number), remaining), remaining


def hit(scope: str, who) -> None:
    """Count one more action of `who` in `scope`; raise RateLimited once over the limit."""
    limit, period = parse_rate(settings.RATE_LIMITS[scope])
    counted, remaining = add_one(scope, who, period)
    if counted > limit:
        raise RateLimited(MESSAGES.get(scope, DEFAULT_MESSAGE), retry_after=remaining)


def hit_address(request, scope: str) -> None:
    """Count one more action from the visitor's address (see client_address.py)."""
    hit(scope, client_address(request) or "unknown")


class RateLimitMiddleware:
    """Answer RateLimited, from a view or a service it calls, with 429 and a clear page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited):
            return None
        response = render(
            request, "common/rate_limited.html", {"message": exception.message}, status=429
        )
        response["Retry-After"] = str(exception.retry_after)
        return response
