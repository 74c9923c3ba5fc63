"""Limits that make cheap attacks dear: how often one address may register, or one organisation
send invitations, in a given time.

Each limit is a short-lived counter in Django's cache, kept for one period and named by its
scope and a keyed hash of whom it counts (an address is never kept as it is). Nothing about the
visitor is stored in the database. The limits are set in settings.RATE_LIMITS as "count/period"
(period: second, minute, hour or day).

Over the limit, `hit` raises RateLimited before anything is stored or sent; RateLimitMiddleware
answers it with 429 and a page that says what happened. A service that raises it inside its
transaction leaves nothing behind."""

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .client_address import client_address

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


def hit(scope: str, who) -> None:
    """Count one more action of `who` in `scope`; raise RateLimited once over the limit."""
    limit, period = parse_rate(settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now // period)
    remaining = max(1, int((window + 1) * period - now))
    key = _key(scope, who, window)
    cache.add(key, 0, timeout=remaining)
    try:
        count = cache.incr(key)
    except ValueError:  # it expired in between
        cache.set(key, 1, timeout=remaining)
        count = 1
    # Some cache backends restart the lifetime on each increment; keep the window's end.
    cache.touch(key, remaining)
    if count > limit:
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
