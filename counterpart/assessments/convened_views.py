"""Pages of feedback convened by partners: a local organisation asks about its funders,
invites other partners of each, and those partners' admins answer the invitation; the funder
reads the round and decides whether to publish its results."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.common import ratelimit
from counterpart.common.forms import form_status, submit
from counterpart.organisations.models import Role
from counterpart.organisations.permissions import has_role, require_role
from counterpart.organisations.selectors import organisation_for_member

from . import convened, selectors
from .forms import ConvenedInviteForm, ConveneForm
from .models import DEFAULT_POOLED_THRESHOLD, RoundState
from .permissions import can_manage, require_manager


def detail_context(request, round_) -> dict:
    """What the round page adds for feedback convened by partners. The funder's members are
    never shown who convened it."""
    if not round_.convened_by_id:
        return {"home": round_.organisation, "convened": False}
    funder_member = has_role(request.user, round_.organisation)
    context = {
        "convened": True,
        "funder_view": funder_member,
        "home": round_.organisation if funder_member else round_.convened_by,
        "can_publish": has_role(request.user, round_.organisation, Role.ADMIN),
    }
    if can_manage(request.user, round_):
        invitations = convened.invitations_of(round_)
        context["invitations"] = invitations
        context["invitations_answered"] = sum(1 for i in invitations if i.answered)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def round_convene(request, organisation_id):
    """A local organisation asks about its funders: one anonymous round per funder."""
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    if not organisation.is_local:
        raise Http404(_("Only a local organisation can ask about its funders."))
    require_role(request.user, organisation, Role.EDITOR)
    funders = convened.funders_of(organisation)
    versions = selectors.versions_for_round([organisation])
    today = timezone.localdate()
    form = ConveneForm(
        request.POST or None,
        versions=versions,
        funders=funders,
        initial={
            "title": _("Feedback from partners, %(year)s") % {"year": today.year},
            "framework_version": versions.first(),
            "opens_on": today,
            "closes_on": today + timezone.timedelta(days=28),
            "threshold": DEFAULT_POOLED_THRESHOLD,
            "language": get_language(),
        },
    )
    rounds = submit(
        request,
        form,
        lambda data: convened.rounds_convene(actor=request.user, convener=organisation, **data),
    )
    if rounds is not None:
        messages.success(
            request,
            ngettext(
                "%(count)s round is prepared and your members are asked. Invite other "
                "partners of the funder from its page, then open it.",
                "%(count)s rounds are prepared and your members are asked. Invite other "
                "partners of each funder from its round's page, then open it.",
                len(rounds),
            )
            % {"count": len(rounds)},
        )
        if len(rounds) == 1:
            return redirect("round_detail", round_id=rounds[0].pk)
        return redirect("organisation_detail", organisation_id=organisation.pk)
    return render(
        request,
        "assessments/round_convene.html",
        {"form": form, "organisation": organisation, "funders": funders},
        status=form_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def convened_invite(request, round_id):
    """The convener names organisations to invite and follows whether each answered (never
    how: it cannot learn who works with the funder)."""
    round_ = selectors.round_for_user(request.user, round_id)
    if not round_.convened_by_id:
        raise Http404(_("Only feedback convened by partners takes invitations."))
    require_manager(request.user, round_)
    if request.method == "POST":
        # Finding an organisation by a member's address must not become a way to test many.
        ratelimit.hit("partner_lookup", request.user.pk)
    form = ConvenedInviteForm(
        request.POST or None, exclude_ids=[round_.organisation_id, round_.convened_by_id]
    )
    sent = submit(
        request,
        form,
        lambda data: convened.invitation_send(
            actor=request.user, round_=round_, organisation=data["organisation"]
        ),
    )
    if sent is not None:
        messages.success(
            request,
            _(
                "%(organisation)s is invited. Its admins decide whether it takes part; you will "
                "see only that they answered."
            )
            % {"organisation": sent.organisation.name},
        )
        return redirect("convened_invite", round_id=round_.pk)
    return render(
        request,
        "assessments/round_invite.html",
        {
            "round": round_,
            "form": form,
            "invitations": convened.invitations_of(round_),
            "editable": round_.state in (RoundState.DRAFT, RoundState.OPEN),
        },
        status=form_status(request),
    )


def _say(request, action, success):
    """Run a one-button action and say how it went: its refusal, or `success`."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)


def _invitation(request, invitation_id):
    try:
        return convened.invitation_for_admin(request.user, invitation_id)
    except PermissionDenied:
        raise Http404(
            _("This invitation does not exist or is for another organisation's admins.")
        ) from None


@login_required
def convened_invitation(request, invitation_id):
    """For the invited organisation's admins: what they are invited to, and whether their
    organisation can take part."""
    invitation = _invitation(request, invitation_id)
    round_ = invitation.round
    return render(
        request,
        "assessments/convened_invitation.html",
        {
            "invitation": invitation,
            "round": round_,
            "can_take_part": convened.can_take_part(invitation.organisation, round_),
            "joinable": round_.state in (RoundState.DRAFT, RoundState.OPEN),
            "languages": settings.LANGUAGES,
        },
    )


@login_required
@require_POST
def convened_invitation_answer(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    join = "join" in request.POST
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = get_language()
    _say(
        request,
        lambda: convened.invitation_answer(
            actor=request.user, invitation=invitation, join=join, language=language
        ),
        _(
            "Your organisation takes part: its members are asked to answer. As an admin, "
            "you may add colleagues."
        )
        if join
        else _("The invitation is answered."),
    )
    return redirect("convened_invitation", invitation_id=invitation.pk)


@login_required
@require_POST
def round_publish(request, round_id):
    """The funder's admin shows or stops showing the results on its accountability page."""
    round_ = selectors.round_for_user(request.user, round_id)
    if not round_.convened_by_id:
        raise Http404(_("Only feedback convened by partners is published this way."))
    publish = request.POST.get("publish") == "on"
    _say(
        request,
        lambda: convened.round_publish_set(actor=request.user, round_=round_, publish=publish),
        _(
            "Once they can be read, these results appear on your public accountability "
            "page, while you publish it."
        )
        if publish
        else _("These results are not on your public accountability page."),
    )
    return redirect("round_detail", round_id=round_.pk)
