from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.assessments.selectors import rounds_of_partnership
from counterpart.audit.selectors import audit_events_for_partnership
from counterpart.common import ratelimit
from counterpart.common.caching import private_page
from counterpart.common.forms import already_sent, form_status, submit, submit_once
from counterpart.organisations.models import Membership, Role
from counterpart.organisations.selectors import organisations_where_role

from . import selectors, services
from .forms import (
    AgreementForm,
    ContactInvitationForm,
    PartnershipCreateForm,
    PartnershipForm,
    PartyForm,
    StageForm,
)
from .models import STAGE_HELP, Partnership, ProposalStatus, Side, Stage, other_side
from .permissions import acting_membership, require_partnership_role


@login_required
def partnership_list(request):
    stage = request.GET.get("stage")
    if stage not in Stage.values:
        stage = None
    mine = organisations_where_role(request.user, Role.VIEWER)
    organisation_id = request.GET.get("organisation", "")
    if organisation_id not in {str(o.pk) for o in mine}:
        organisation_id = ""
    return render(
        request,
        "partnerships/list.html",
        {
            "partnerships": selectors.partnerships_for_user(
                request.user, stage=stage, organisation_id=organisation_id or None
            ),
            "stages": Stage.choices,
            "current_stage": stage,
            "organisations": mine,
            "current_organisation": organisation_id,
            "can_create": bool(organisations_where_role(request.user, Role.EDITOR)),
            "proposals": selectors.proposals_waiting_for(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request):
    organisations = organisations_where_role(request.user, Role.EDITOR)
    if not organisations:
        messages.error(
            request,
            _("To create a partnership you need the editor or admin role in an organisation."),
        )
        return redirect("partnership_list")
    if request.method == "POST" and request.POST.get("partner", "").strip():
        # Finding an organisation by a member's address must not become a way to test many.
        ratelimit.hit("partner_lookup", request.user.pk)
    form = PartnershipCreateForm(request.POST or None, organisations=organisations)
    form.fields["new_partner_language"].initial = get_language()
    if len(organisations) == 1 and organisations[0].is_local:
        form.fields["side"].initial = Side.LOCAL
        form.fields["role"].initial = "implementing"
        form.fields["partner_role"].initial = "funding"

    def save(data):
        common = {
            "actor": request.user,
            "organisation": data["organisation"],
            "side": data["side"],
            "role": data["role"],
            "partner_side": form.partner_side,
            "partner_role": data["partner_role"],
            "stage": data["stage"],
            **{name: data[name] for name in Partnership.DETAIL_FIELDS},
        }
        if data["partner"]:
            return services.partnership_propose(partner=data["partner"], **common)
        return services.partnership_create_with_new_partner(
            new_partner={
                "name": data["new_partner_name"],
                "country": data["new_partner_country"],
                "kind": data["new_partner_kind"],
                "refugee_led": data["new_partner_refugee_led"],
            },
            contact_email=data["new_partner_contact"],
            language=data["new_partner_language"] or "en",
            **common,
        )

    sent = submit_once(request, form, save)
    if sent is not None:
        partnership = sent.obj
        if sent.again:
            already_sent(request)
        else:
            proposal = partnership.proposals.first()
            messages.success(
                request,
                _(
                    "The partnership is proposed to %(partner)s. Their admins are asked to "
                    "accept it; until they do, it is yours alone."
                )
                % {"partner": proposal.organisation.name},
            )
        return redirect("partnership_detail", partnership_id=partnership.pk)
    return render(
        request,
        "partnerships/create.html",
        {"form": form},
        status=form_status(request),
    )


@login_required
@private_page
def partnership_detail(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    membership = acting_membership(request.user, partnership)
    parties = list(partnership.parties.all())
    admin_of = set(
        Membership.objects.filter(user=request.user, role=Role.ADMIN).values_list(
            "organisation_id", flat=True
        )
    )
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": partnership,
            "international": [p for p in parties if p.side == Side.INTERNATIONAL],
            "local": [p for p in parties if p.side == Side.LOCAL],
            "agreement": partnership.agreement,
            "stage_changes": list(partnership.stage_changes.all()),
            "can_edit": membership.has_role(Role.EDITOR),
            "both_sides": {p.side for p in parties} == set(Side.values),
            "proposals": selectors.waiting_proposals_of(partnership),
            "may_leave": [p for p in parties if p.organisation_id in admin_of],
            "stage_form": StageForm(initial={"stage": partnership.stage}),
            "stage_help": [(Stage(v).label, STAGE_HELP[v], v) for v in Stage.values],
            "history": audit_events_for_partnership(partnership, limit=20),
            "rounds": rounds_of_partnership(partnership),
            # Members of a local-side organisation may raise a concern with the other side.
            "can_raise_concern": any(
                p.side == Side.LOCAL and p.organisation_id == membership.organisation_id
                for p in parties
            ),
        },
    )


def _partnership_form(request, partnership, form, save, success, title):
    """The edit pages of a partnership: a form, a service that saves it, back to the page."""
    saved = submit(request, form, save)
    if saved is not None:
        messages.success(request, success(saved) if callable(success) else success)
        return redirect("partnership_detail", partnership_id=partnership.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "partnership": partnership, "title": title},
        status=form_status(request),
    )


def _editable_partnership(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    require_partnership_role(request.user, partnership, Role.EDITOR)
    return partnership


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request, partnership_id):
    partnership = _editable_partnership(request, partnership_id)
    return _partnership_form(
        request,
        partnership,
        PartnershipForm(request.POST or None, instance=partnership),
        lambda data: services.partnership_update(
            actor=request.user, partnership=partnership, **data
        ),
        _("The partnership is saved."),
        _("Edit the partnership"),
    )


def _stage_recorded(change):
    if change.partnership.stage == change.stage:
        return _("The stage is recorded.")
    return _(
        "The stage is recorded in the history. The current stage stays %(stage)s, "
        "because it was entered on a later date."
    ) % {"stage": change.partnership.get_stage_display()}


@login_required
@require_http_methods(["GET", "POST"])
def partnership_stage(request, partnership_id):
    partnership = _editable_partnership(request, partnership_id)
    return _partnership_form(
        request,
        partnership,
        StageForm(request.POST or None, initial={"stage": partnership.stage}),
        lambda data: services.partnership_set_stage(
            actor=request.user, partnership=partnership, **data
        ),
        _stage_recorded,
        _("Record a stage"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, partnership_id):
    partnership = _editable_partnership(request, partnership_id)
    form = AgreementForm(request.POST or None, instance=partnership.agreement)
    return _partnership_form(
        request,
        partnership,
        form,
        lambda data: services.agreement_update(
            actor=request.user,
            partnership=partnership,
            intermediaries=form.intermediaries(),
            **form.terms(),
        ),
        _("The agreement terms are saved."),
        _("Agreement terms"),
    )


def _proposing_sides(my_sides, partnership):
    """The sides the person may propose organisations for: their own, and the other one while
    it has no organisation."""
    filled = {party.side for party in partnership.parties.all()}
    return set(my_sides) | {
        side for side in Side.values if side not in filled and other_side(side) in my_sides
    }


@login_required
@require_http_methods(["GET", "POST"])
def party_add(request, partnership_id):
    partnership = _editable_partnership(request, partnership_id)
    my_sides = services.editor_sides(request.user, partnership)
    if request.method == "POST":
        ratelimit.hit("partner_lookup", request.user.pk)
    form = PartyForm(
        request.POST or None,
        partnership=partnership,
        sides=_proposing_sides(my_sides, partnership),
    )
    sent = submit_once(
        request,
        form,
        lambda data: services.party_propose(actor=request.user, partnership=partnership, **data),
    )
    if sent is not None and sent.again:
        already_sent(request)
        return redirect("party_add", partnership_id=partnership.pk)
    if sent is not None:
        proposal = sent.obj
        if proposal.needs_other_side:
            text = _(
                "%(organisation)s is asked to join. It joins once its admins and the admins of "
                "the other side accept."
            )
        else:
            text = _("%(organisation)s is asked to join. It joins once its admins accept.")
        messages.success(request, text % {"organisation": proposal.organisation.name})
        return redirect("party_add", partnership_id=partnership.pk)
    return _parties_page(request, partnership, form, my_sides)


def _parties_page(
    request, partnership, form, my_sides, contact_form=None, contact_party=None, status=None
):
    """The organisations of a partnership, with forms to add one and to invite the contact of
    one nobody has joined yet (the form that was sent keeps its values and problems)."""
    parties = list(partnership.parties.all())
    nobody_joined = selectors.parties_nobody_joined(partnership)
    may_invite_for = set(
        Membership.objects.filter(
            user=request.user, role__in=[Role.EDITOR, Role.ADMIN]
        ).values_list("organisation_id", flat=True)
    )
    for party in parties:
        # Each side keeps one organisation, so the last one on a side offers no removal.
        party.removable = party.side in my_sides and sum(p.side == party.side for p in parties) > 1
        party.may_invite = party.organisation.registered_by_id in may_invite_for
        party.nobody_joined = party.pk in nobody_joined
        party.waiting_invitation = nobody_joined.get(party.pk)
        party.contact_form = (
            contact_form
            if contact_party is not None and party.pk == contact_party.pk
            else ContactInvitationForm(initial={"language": get_language()})
        )
    return render(
        request,
        "partnerships/parties.html",
        {
            "form": form,
            "contact_form": contact_form,
            "partnership": partnership,
            "international": [p for p in parties if p.side == Side.INTERNATIONAL],
            "local": [p for p in parties if p.side == Side.LOCAL],
            "proposals": selectors.waiting_proposals_of(partnership),
        },
        status=status or form_status(request),
    )


@login_required
@require_POST
def party_invite(request, partnership_id, party_id):
    """Invite the first admin of a partner organisation that nobody has joined yet."""
    partnership = _editable_partnership(request, partnership_id)
    party = selectors.party_in(partnership, party_id)
    editor_sides = services.editor_sides(request.user, partnership)
    contact_form = ContactInvitationForm(request.POST)
    invitation = submit(
        request,
        contact_form,
        lambda data: services.party_invite_contact(actor=request.user, party=party, **data),
    )
    if invitation is None:
        return _parties_page(
            request,
            partnership,
            PartyForm(partnership=partnership, sides=editor_sides),
            editor_sides,
            contact_form,
            contact_party=party,
            status=400,
        )
    messages.success(
        request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
    )
    return redirect("party_add", partnership_id=partnership.pk)


@login_required
@require_POST
def party_remove(request, partnership_id, party_id):
    partnership = _editable_partnership(request, partnership_id)
    party = selectors.party_in(partnership, party_id)
    try:
        services.party_remove(actor=request.user, party=party)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s was removed from the partnership.")
            % {"organisation": party.organisation},
        )
    return redirect("party_add", partnership_id=partnership.pk)


@login_required
def proposal_detail(request, proposal_id):
    """A proposal that an organisation join a partnership, with who proposes it and what the
    admins asked may do: accept, decline or, for the proposer, withdraw."""
    proposal = selectors.proposal_for_user(request.user, proposal_id)
    roles = services.proposal_roles(request.user, proposal)
    if "organisation" in roles and proposal.organisation_accepted_at is not None:
        roles.discard("organisation")
    if "other_side" in roles and proposal.other_side_accepted_at is not None:
        roles.discard("other_side")
    return render(
        request,
        "partnerships/proposal.html",
        {
            "proposal": proposal,
            "may_answer": proposal.is_waiting and bool(roles & {"organisation", "other_side"}),
            "may_withdraw": proposal.is_waiting and "proposer" in roles,
            "may_invite": proposal.is_waiting
            and "proposer" in roles
            and proposal.organisation.registered_by_id == proposal.proposing_organisation_id
            and not proposal.organisation.memberships.exists(),
            "contact_form": ContactInvitationForm(initial={"language": get_language()}),
            "parties": list(
                proposal.partnership.parties.select_related("organisation").order_by("side")
            ),
        },
    )


def _answer(request, proposal_id, service, success):
    proposal = selectors.proposal_for_user(request.user, proposal_id)
    try:
        proposal = service(actor=request.user, proposal=proposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("proposal_detail", proposal_id=proposal_id)
    messages.success(request, success(proposal))
    if proposal.status == ProposalStatus.ACCEPTED:
        return redirect("partnership_detail", partnership_id=proposal.partnership_id)
    return redirect("proposal_detail", proposal_id=proposal_id)


def _accepted(proposal):
    if proposal.status == ProposalStatus.ACCEPTED:
        return _("%(organisation)s is now part of the partnership.") % {
            "organisation": proposal.organisation.name
        }
    return _("Your acceptance is recorded. The proposal now waits for the others asked.")


@login_required
@require_POST
def proposal_accept(request, proposal_id):
    return _answer(request, proposal_id, services.proposal_accept, _accepted)


@login_required
@require_POST
def proposal_decline(request, proposal_id):
    return _answer(
        request,
        proposal_id,
        services.proposal_decline,
        lambda proposal: _("The proposal is declined. Nothing was shared."),
    )


@login_required
@require_POST
def proposal_withdraw(request, proposal_id):
    return _answer(
        request,
        proposal_id,
        services.proposal_withdraw,
        lambda proposal: _("The proposal is withdrawn."),
    )


@login_required
@require_POST
def party_leave(request, partnership_id, party_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    party = selectors.party_in(partnership, party_id)
    services.party_leave(actor=request.user, party=party)
    messages.success(
        request,
        _("%(organisation)s has left the partnership “%(partnership)s”.")
        % {"organisation": party.organisation.name, "partnership": partnership.title},
    )
    return redirect("partnership_list")


@login_required
@require_POST
def proposal_invite(request, proposal_id):
    """Invite the first admin of an organisation asked to join that nobody has joined yet."""
    proposal = selectors.proposal_for_user(request.user, proposal_id)
    form = ContactInvitationForm(request.POST)
    invitation = submit(
        request,
        form,
        lambda data: services.proposal_invite_contact(
            actor=request.user, proposal=proposal, **data
        ),
    )
    if invitation is None:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    else:
        messages.success(
            request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("proposal_detail", proposal_id=proposal.pk)
