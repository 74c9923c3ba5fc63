"""The visitor's address, for the sign-in throttle.

Behind N trusted reverse proxies, each proxy appends the address it received the request from
to X-Forwarded-For, so the visitor's real address is the N-th entry from the right. Entries
further left were written by the client and can be forged, so they are never used."""

from django.conf import settings


def client_address(request) -> str | None:
    count = settings.PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
