from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from counterpart.common import health
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
    """For load balancers and monitoring, without signing in: the database can read the
    application's tables, every migration is applied, the task worker keeps up, and the mail
    server accepts mail (`common.health`). 503 when an essential check fails. Plain text, one
    check a line after the overall status; JSON with `?format=json` or `Accept:
    application/json`. Nothing in it names anyone."""
    checks = health.run_checks()
    status = health.overall(checks)
    code = 503 if status == "fail" else 200
    wants_json = request.GET.get("format") == "json" or (
        "application/json" in request.headers.get("Accept", "")
    )
    if wants_json:
        return JsonResponse(
            {
                "status": status,
                "checks": [
                    {
                        "name": c.name,
                        "status": c.status,
                        "essential": c.essential,
                        "detail": c.detail,
                    }
                    for c in checks
                ],
            },
            status=code,
        )
    lines = [status] + [f"{c.name}: {c.status} - {c.detail}" for c in checks]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain", status=code)


def not_found(request, exception=None):
    """404 page: shows our own translated explanation, never the resolver's internals."""
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(request, "404.html", {"message": message}, status=404)
