"""The pages where a person makes and revokes their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.common.forms import already_sent, form_status, submit_once
from counterpart.organisations.models import Membership

from . import selectors, services
from .forms import TokenForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    made = submit_once(
        request,
        form,
        lambda data: services.api_token_create(
            actor=request.user, name=data["name"], expires_on=data["expires_on"]
        ),
        secret=True,
    )
    key = None
    if made is not None:
        # The key is shown on this answer only: it is never stored, nor put in the session.
        # A second sending of the same form shows it again: for a day, it is kept encrypted
        # with the form's one-time key, which only the page that was sent holds.
        key = made.secret
        if made.again:
            already_sent(request)
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "key": key,
            "tokens": selectors.tokens_of(request.user),
            "is_member": Membership.objects.filter(user=request.user).exists(),
        },
        status=form_status(request) if made is None else 201,
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    token = selectors.token_of(request.user, token_id)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens")
