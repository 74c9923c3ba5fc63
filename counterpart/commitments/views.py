"""Pages for commitments: proposing one from a round, a partnership's list, one commitment with
its history and actions, the evidence files, and the public accountability page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.assessments.models import RoundKind
from counterpart.assessments.permissions import require_manager
from counterpart.assessments.selectors import results_visible, round_for_user
from counterpart.common.forms import (
    add_service_errors,
    already_sent,
    form_status,
    submit,
    submit_once,
)
from counterpart.frameworks.selectors import content_language
from counterpart.funding.selectors import public_figures
from counterpart.insights.selectors import element_names
from counterpart.organisations.models import Organisation
from counterpart.partnerships.selectors import partnership_for_user

from . import selectors, services
from .forms import AmendForm, DecisionForm, ReportForm, TermsForm


def _language(round_, request):
    return content_language(round_.framework_version, request.GET.get("lang"), get_language())


@login_required
@require_http_methods(["GET", "POST"])
def commitment_propose(request, round_id):
    round_ = round_for_user(request.user, round_id)
    require_manager(request.user, round_)
    if round_.kind != RoundKind.PARTNERSHIP or not results_visible(round_):
        return render(
            request,
            "commitments/not_yet.html",
            {"round": round_},
            status=403,
        )
    topic = request.GET.get("topic", "")
    form = TermsForm(
        request.POST or None,
        round_=round_,
        language=_language(round_, request),
        initial={"topic": topic},
    )
    sent = submit_once(
        request,
        form,
        lambda data: services.commitment_propose(actor=request.user, round_=round_, **form.terms()),
    )
    if sent is not None:
        if sent.again:
            already_sent(request)
        else:
            messages.success(
                request, _("The commitment is proposed. The other side is asked to accept it.")
            )
        return redirect("commitment_detail", commitment_id=sent.obj.pk)
    return render(
        request,
        "commitments/commitment_propose.html",
        {"round": round_, "form": form},
        status=form_status(request),
    )


@login_required
def partnership_commitments(request, partnership_id):
    partnership = partnership_for_user(request.user, partnership_id)
    rows = selectors.commitments_of_partnership(partnership)
    return render(
        request,
        "commitments/partnership_commitments.html",
        {"partnership": partnership, "commitments": rows, "labels": selectors.STATUS_LABELS},
    )


def _detail(request, commitment, forms=None, status=200):
    page = selectors.commitment_page(request.user, commitment)
    forms = forms or {}
    return render(
        request,
        "commitments/commitment_detail.html",
        {
            "page": page,
            "commitment": commitment,
            "labels": selectors.STATUS_LABELS,
            "decision_form": forms.get("decision") or DecisionForm(),
            "report_form": forms.get("report") or ReportForm(),
            "check_form": forms.get("check") or DecisionForm(),
        },
        status=status,
    )


@login_required
def commitment_detail(request, commitment_id):
    commitment = selectors.commitment_for_user(request.user, commitment_id)
    return _detail(request, commitment)


def _act(request, commitment_id, form_class, key, action, done_message):
    """Run one action on a commitment from its page's form; problems show on the page (400)."""
    commitment = selectors.commitment_for_user(request.user, commitment_id)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            action(commitment, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done_message)
            return redirect("commitment_detail", commitment_id=commitment.pk)
    return _detail(request, commitment, {key: form}, status=400)


def _decision(service, key, done_message):
    """A view that answers what is waiting on a commitment, with a note: accept or decline a
    proposal (`key` "decision"), confirm or dispute a report (`key` "check")."""

    @login_required
    @require_POST
    def view(request, commitment_id):
        return _act(
            request,
            commitment_id,
            DecisionForm,
            key,
            lambda c, data: service(actor=request.user, commitment=c, note=data["note"]),
            done_message,
        )

    view.__name__ = service.__name__
    return view


commitment_accept = _decision(
    services.commitment_accept, "decision", gettext_lazy("Accepted. Both sides have agreed.")
)
commitment_decline = _decision(
    services.commitment_decline,
    "decision",
    gettext_lazy("Not accepted. The other side is told why."),
)
commitment_confirm = _decision(
    services.commitment_confirm, "check", gettext_lazy("Confirmed: the commitment is kept.")
)
commitment_dispute = _decision(
    services.commitment_dispute,
    "check",
    gettext_lazy("Not confirmed. The commitment is in progress again."),
)


@login_required
@require_POST
def commitment_report(request, commitment_id):
    commitment = selectors.commitment_for_user(request.user, commitment_id)
    form = ReportForm(request.POST, request.FILES)
    sent = submit_once(
        request,
        form,
        lambda data: services.commitment_report(
            actor=request.user,
            commitment=commitment,
            done=data["done"],
            note=data["note"],
            link=data["link"],
            file=data["file"],
        ),
    )
    if sent is None:
        return _detail(request, commitment, {"report": form}, status=400)
    if sent.again:
        already_sent(request)
    else:
        messages.success(request, _("The update is posted."))
    return redirect("commitment_detail", commitment_id=commitment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_amend(request, commitment_id):
    commitment = selectors.commitment_for_user(request.user, commitment_id)
    require_manager(request.user, commitment.round)
    form = AmendForm(
        request.POST or None,
        round_=commitment.round,
        language=_language(commitment.round, request),
        initial=TermsForm.initial_from(commitment),
    )

    def save(data):
        terms = {} if data["drop"] else form.terms()
        return services.commitment_amend(
            actor=request.user,
            commitment=commitment,
            reason=data["reason"],
            drop=data["drop"],
            **terms,
        )

    if submit(request, form, save) is not None:
        messages.success(
            request, _("The change is proposed. The other side is asked to accept it.")
        )
        return redirect("commitment_detail", commitment_id=commitment.pk)
    return render(
        request,
        "commitments/commitment_amend.html",
        {"commitment": commitment, "form": form},
        status=form_status(request),
    )


@login_required
def commitment_evidence(request, update_id):
    update = selectors.update_for_user(request.user, update_id)
    try:
        handle = update.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is no longer stored.")) from None
    # Always a download, never shown in the page: a file could hold anything.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=update.file_name or "evidence",
        content_type="application/octet-stream",
    )


def accountability_page(request, organisation_id):
    organisation = Organisation.objects.filter(
        pk=organisation_id, publish_accountability=True
    ).first()
    if organisation is None:
        raise Http404(_("This organisation does not publish an accountability page."))
    titles, _foundations = element_names(get_language())
    return render(
        request,
        "commitments/accountability.html",
        {
            "report": selectors.accountability(organisation, titles),
            "funding": public_figures(organisation),
        },
    )
