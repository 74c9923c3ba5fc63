from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from counterpart.common.forms import form_status

from .forms import ProfileForm, SignUpForm
from .services import user_register, user_update_profile


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if not settings.OPEN_REGISTRATION:
        return render(request, "accounts/signup_closed.html", status=403)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, organisation = user_register(
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            organisation_fields={
                "name": data["organisation_name"],
                "country": data["organisation_country"],
                "kind": data["organisation_kind"],
                "refugee_led": data["organisation_refugee_led"],
            },
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome. %(organisation)s is registered and you are its admin.")
            % {"organisation": organisation.name},
        )
        return redirect("organisation_detail", organisation_id=organisation.pk)
    return render(request, "accounts/signup.html", {"form": form}, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(
            actor=request.user,
            full_name=form.cleaned_data["full_name"],
            timezone=form.cleaned_data["timezone"],
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=form_status(request))
