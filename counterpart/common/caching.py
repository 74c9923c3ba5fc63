"""Pages and files that hold people's answers are kept by no cache: neither a shared one (a
proxy between the reader and Counterpart) nor the browser's, where the next person at the same
computer could open them again.

Every such response carries `Cache-Control: private, no-store`: the downloads (XLSX, CSV), the
results page, the dialogue guide, the partnership page and the API's results."""

from functools import wraps

from django.utils.cache import patch_cache_control


def keep_private(response):
    """Mark the response as never to be stored by any cache; returns it."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def private_page(view):
    """A view whose every answer (the page, its error pages, its redirects) is kept private."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return keep_private(view(request, *args, **kwargs))

    return wrapped
