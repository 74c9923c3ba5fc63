"""Refuse a request body larger than a page takes, before any of it is read.

The pages reached without an account (a respondent's questionnaire, the public concerns
channel) take short text only, never files. A larger body is answered at once with 413 and a
page that says what happened, from the Content-Length header alone: the body is not read, so
a client cannot make the server receive or store hundreds of megabytes there. The limits are in
settings.REQUEST_BODY_LIMITS, by path prefix. A body without Content-Length (chunked) is never
read by Django at all.
"""

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


def body_limit(path: str) -> int | None:
    """The largest body, in bytes, a request to `path` may carry; None for no limit here."""
    chosen = None
    for prefix, limit in settings.REQUEST_BODY_LIMITS.items():
        if path.startswith(prefix) and (chosen is None or len(prefix) > len(chosen[0])):
            chosen = (prefix, limit)
    return chosen[1] if chosen else None


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request.path_info)
        if limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads no body then
            if length > limit:
                return render(request, "413.html", {"limit": filesizeformat(limit)}, status=413)
        return self.get_response(request)
