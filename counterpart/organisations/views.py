from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.accounts.forms import JoinForm
from counterpart.assessments.selectors import (
    invitations_waiting,
    pooled_rounds_of,
    rounds_convened_by,
)
from counterpart.audit.selectors import audit_events_for_organisation
from counterpart.common.forms import form_status, submit

from . import selectors, services
from .forms import InvitationForm, OrganisationForm, RoleForm
from .models import ROLE_HELP, Role
from .permissions import require_role


@login_required
def organisation_list(request):
    return render(
        request,
        "organisations/list.html",
        {"organisations": selectors.organisations_with_member_counts(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    organisation = submit(
        request, form, lambda data: services.organisation_create(actor=request.user, **data)
    )
    if organisation is not None:
        messages.success(request, _("The organisation is registered. You are its admin."))
        return redirect("organisation_detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "creating": True},
        status=form_status(request),
    )


@login_required
def organisation_detail(request, organisation_id):
    organisation, membership = selectors.organisation_for_member(request.user, organisation_id)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "is_admin": membership.has_role(Role.ADMIN),
            "can_edit": membership.has_role(Role.EDITOR),
            "rounds": pooled_rounds_of(organisation),
            "rounds_about": pooled_rounds_of(organisation, convened=True),
            "rounds_convened": rounds_convened_by(organisation) if organisation.is_local else [],
            "feedback_invitations": invitations_waiting(organisation)
            if membership.has_role(Role.ADMIN)
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, organisation_id):
    organisation, _membership = selectors.organisation_for_member(request.user, organisation_id)
    require_role(request.user, organisation, Role.ADMIN)
    form = OrganisationForm(request.POST or None, instance=organisation)
    saved = submit(
        request,
        form,
        lambda data: services.organisation_update(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if saved is not None:
        messages.success(request, _("The organisation's profile is saved."))
        return redirect("organisation_detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": organisation},
        status=form_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request, organisation_id):
    organisation, membership = selectors.organisation_for_member(request.user, organisation_id)
    is_admin = membership.has_role(Role.ADMIN)
    form = InvitationForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST":
        require_role(request.user, organisation, Role.ADMIN)
    sent = submit(
        request,
        form,
        lambda data: services.invitation_create(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if sent is not None:
        invitation, _link = sent
        messages.success(
            request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
        )
        return redirect("member_list", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/members.html",
        {
            "organisation": organisation,
            "membership": membership,
            "is_admin": is_admin,
            "members": selectors.members_of(organisation),
            "invitations": selectors.pending_invitations(organisation) if is_admin else [],
            "form": form,
            "roles": Role.choices,
            "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
            "role_help": [(Role(value).label, ROLE_HELP[value]) for value in Role.values],
        },
        status=form_status(request),
    )


@login_required
@require_POST
def member_set_role(request, organisation_id, membership_id):
    organisation, _membership = selectors.organisation_for_member(request.user, organisation_id)
    require_role(request.user, organisation, Role.ADMIN)
    member = selectors.membership_in(organisation, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_set_role(
                actor=request.user, membership=member, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": member.user, "role": Role(form.cleaned_data["role"]).label},
            )
    return redirect("member_list", organisation_id=organisation.pk)


@login_required
@require_POST
def member_remove(request, organisation_id, membership_id):
    organisation, _membership = selectors.organisation_for_member(request.user, organisation_id)
    member = selectors.membership_in(organisation, membership_id)
    leaving = member.user_id == request.user.pk
    try:
        services.membership_remove(actor=request.user, membership=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("member_list", organisation_id=organisation.pk)
    if leaving:
        messages.success(
            request, _("You have left %(organisation)s.") % {"organisation": organisation}
        )
        return redirect("home")
    messages.success(
        request,
        _("%(person)s was removed from %(organisation)s.")
        % {"person": member.user, "organisation": organisation},
    )
    return redirect("member_list", organisation_id=organisation.pk)


@login_required
@require_POST
def invitation_revoke(request, organisation_id, invitation_id):
    organisation, _membership = selectors.organisation_for_member(request.user, organisation_id)
    require_role(request.user, organisation, Role.ADMIN)
    invitation = selectors.invitation_in(organisation, invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("member_list", organisation_id=organisation.pk)


@login_required
def audit_log(request, organisation_id):
    organisation, _membership = selectors.organisation_for_member(request.user, organisation_id)
    require_role(request.user, organisation, Role.ADMIN)
    return render(
        request,
        "organisations/audit.html",
        {"organisation": organisation, "events": audit_events_for_organisation(organisation)},
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The page an invitation link opens. Works for people with and without an account."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationProblem as problem:
        return render(
            request, "organisations/invitation_problem.html", {"problem": problem}, status=400
        )
    user = request.user
    existing_account = selectors.account_exists(invitation.email)
    form = None
    if user.is_authenticated:
        if request.method == "POST":
            if request.POST.get("action") == "switch":
                logout(request)
                return redirect(request.path)
            try:
                membership = services.invitation_accept(user=user, invitation=invitation)
            except services.InvitationProblem as problem:
                return render(
                    request,
                    "organisations/invitation_problem.html",
                    {"problem": problem},
                    status=400,
                )
            messages.success(
                request,
                _("You are now a member of %(organisation)s.")
                % {"organisation": membership.organisation},
            )
            return redirect("organisation_detail", organisation_id=membership.organisation_id)
    elif not existing_account:
        form = JoinForm(request.POST or None, invited_email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                membership = services.invitation_accept_new_person(
                    invitation=invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            except services.InvitationProblem as problem:
                return render(
                    request,
                    "organisations/invitation_problem.html",
                    {"problem": problem},
                    status=400,
                )
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome. You are now a member of %(organisation)s.")
                % {"organisation": membership.organisation},
            )
            return redirect("organisation_detail", organisation_id=membership.organisation_id)
    return render(
        request,
        "organisations/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "existing_account": existing_account,
            "email_matches": user.is_authenticated
            and user.email.lower() == invitation.email.lower(),
        },
        status=form_status(request),
    )
