from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.common.forms import add_service_errors
from counterpart.organisations.models import Role
from counterpart.organisations.selectors import organisations_where_role

from . import selectors, services
from .forms import AgreementForm, PartnershipCreateForm, PartnershipForm, PartyForm, StageForm
from .models import STAGE_HELP, Side, Stage
from .permissions import acting_membership, require_partnership_role


@login_required
def partnership_list(request):
    stage = request.GET.get("stage")
    if stage not in Stage.values:
        stage = None
    return render(
        request,
        "partnerships/list.html",
        {
            "partnerships": selectors.partnerships_for_user(request.user, stage=stage),
            "stages": Stage.choices,
            "current_stage": stage,
            "can_create": bool(organisations_where_role(request.user, Role.EDITOR)),
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
    form = PartnershipCreateForm(request.POST or None, organisations=organisations)
    if len(organisations) == 1 and organisations[0].is_local:
        form.fields["side"].initial = Side.LOCAL
        form.fields["role"].initial = "implementing"
        form.fields["partner_role"].initial = "funding"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": request.user,
            "organisation": data["organisation"],
            "side": data["side"],
            "role": data["role"],
            "partner_side": form.partner_side,
            "partner_role": data["partner_role"],
            "stage": data["stage"],
            **{name: data[name] for name in PartnershipForm.Meta.fields},
        }
        try:
            if data["partner"]:
                partnership = services.partnership_create(partner=data["partner"], **common)
            else:
                partnership = services.partnership_create_with_new_partner(
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
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The partnership is created."))
            return redirect("partnership_detail", partnership_id=partnership.pk)
    return render(
        request,
        "partnerships/create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def partnership_detail(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    membership = acting_membership(request.user, partnership)
    parties = list(partnership.parties.all())
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
            "stage_form": StageForm(initial={"stage": partnership.stage}),
            "stage_help": [(Stage(v).label, STAGE_HELP[v], v) for v in Stage.values],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    require_partnership_role(request.user, partnership, Role.EDITOR)
    form = PartnershipForm(request.POST or None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The partnership is saved."))
            return redirect("partnership_detail", partnership_id=partnership.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "partnership": partnership, "title": _("Edit the partnership")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_stage(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    require_partnership_role(request.user, partnership, Role.EDITOR)
    form = StageForm(request.POST or None, initial={"stage": partnership.stage})
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_set_stage(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The stage is recorded."))
            return redirect("partnership_detail", partnership_id=partnership.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "partnership": partnership, "title": _("Record a stage")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    require_partnership_role(request.user, partnership, Role.EDITOR)
    form = AgreementForm(request.POST or None, instance=partnership.agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(
                actor=request.user,
                partnership=partnership,
                intermediaries=form.intermediaries(),
                **form.terms(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The agreement terms are saved."))
            return redirect("partnership_detail", partnership_id=partnership.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "partnership": partnership, "title": _("Agreement terms")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_add(request, partnership_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    require_partnership_role(request.user, partnership, Role.EDITOR)
    form = PartyForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_add(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation was added to the partnership."))
            return redirect("party_add", partnership_id=partnership.pk)
    parties = list(partnership.parties.all())
    return render(
        request,
        "partnerships/parties.html",
        {
            "form": form,
            "partnership": partnership,
            "international": [p for p in parties if p.side == Side.INTERNATIONAL],
            "local": [p for p in parties if p.side == Side.LOCAL],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def party_remove(request, partnership_id, party_id):
    partnership = selectors.partnership_for_user(request.user, partnership_id)
    require_partnership_role(request.user, partnership, Role.EDITOR)
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
