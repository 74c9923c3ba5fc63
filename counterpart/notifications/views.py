"""The person's notifications: what needs them, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def notification_list(request):
    return render(
        request,
        "notifications/notification_list.html",
        {"notifications": selectors.latest_for(request.user)},
    )


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_read(actor=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notification_list")
