from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from counterpart.organisations.models import Role
from counterpart.organisations.selectors import memberships_for_user
from counterpart.partnerships.selectors import partnerships_for_user, proposals_waiting_for


def home(request):
    if not request.user.is_authenticated:
        return render(request, "common/welcome.html")
    memberships = memberships_for_user(request.user)
    return render(
        request,
        "common/home.html",
        {
            "memberships": memberships,
            "partnerships": partnerships_for_user(request.user),
            "can_create": any(m.has_role(Role.EDITOR) for m in memberships),
            "proposals": proposals_waiting_for(request.user),
        },
    )


@never_cache
def healthz(request):
    """For load balancers and monitoring: the application answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def not_found(request, exception=None):
    """404 page: shows our own translated explanation, never the resolver's internals."""
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(request, "404.html", {"message": message}, status=404)
