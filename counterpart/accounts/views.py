from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_countries.fields import Country

from counterpart.common import ratelimit
from counterpart.common.forms import form_status

from . import selectors, services
from .forms import ProfileForm, SignUpForm


def _closed(request):
    return render(request, "accounts/signup_closed.html", status=403)


@require_http_methods(["GET", "POST"])
def signup(request):
    """Registering asks for the email address to be confirmed: the next page says the same
    whether or not the address already has an account."""
    if request.user.is_authenticated:
        return redirect("home")
    if not settings.OPEN_REGISTRATION:
        return _closed(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ratelimit.hit_address(request, "signup")
        data = form.cleaned_data
        services.signup_request(
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            organisation_fields={
                "name": data["organisation_name"],
                "country": data["organisation_country"],
                "kind": data["organisation_kind"],
                "refugee_led": data["organisation_refugee_led"],
            },
            language=get_language(),
        )
        return redirect("signup_sent")
    return render(request, "accounts/signup.html", {"form": form}, status=form_status(request))


def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {"hours": settings.SIGNUP_CONFIRM_HOURS})


def _problem(request, problem):
    return render(request, "accounts/signup_problem.html", {"problem": problem}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request, token):
    """The page the confirmation link opens; its button creates the account and organisation
    (a link that only has to be fetched would be spent by mail scanners)."""
    if not settings.OPEN_REGISTRATION:
        return _closed(request)
    pending = selectors.pending_signup(token)
    if pending is None:
        return _problem(request, services.link_problem())
    if request.method == "GET":
        country = Country(pending.organisation_country)
        return render(
            request, "accounts/signup_confirm.html", {"pending": pending, "country": country}
        )
    try:
        user, organisation = services.signup_confirm(token=token)
    except services.SignupProblem as problem:
        return _problem(request, problem)
    except ValidationError as error:
        return _problem(request, " ".join(error.messages))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Welcome. %(organisation)s is registered and you are its admin.")
        % {"organisation": organisation.name},
    )
    return redirect("organisation_detail", organisation_id=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            actor=request.user,
            full_name=form.cleaned_data["full_name"],
            timezone=form.cleaned_data["timezone"],
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=form_status(request))
