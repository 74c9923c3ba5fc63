"""The funding pages of an organisation: the localisation metrics and the flows behind them,
recording and importing flows, receivers waiting for a decision, exchange rates and settings.

Members read; editors record, import and decide; admins change the settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from counterpart.common.forms import (
    add_service_errors,
    already_sent,
    form_status,
    submit,
    submit_once,
)
from counterpart.organisations.models import Organisation, Role
from counterpart.organisations.permissions import require_role
from counterpart.organisations.selectors import organisation_for_member
from counterpart.partnerships.models import Party

from . import selectors, services
from .forms import (
    DecisionForm,
    FigureFilterForm,
    FlowForm,
    HumanitarianFundingForm,
    ImportForm,
    RateForm,
    RatesUploadForm,
    SettingsForm,
)
from .metrics import localisation_metrics
from .models import ExchangeRate, FlowKind
from .report import OUTCOMES, reason_text

FIGURES = {
    "grand_bargain": gettext_lazy("Grand Bargain local share"),
    "local": gettext_lazy("Local share of funds passed to partners"),
    "direct_of_all": gettext_lazy("Local, as directly as possible"),
    "direct_of_local": gettext_lazy("Local funding through at most one intermediary"),
    "refugee_led": gettext_lazy("Refugee-led share"),
    "flexible": gettext_lazy("Flexible share"),
    "multi_year": gettext_lazy("Multi-year share"),
    "overhead": gettext_lazy("Local partners whose overhead is covered"),
}


def _member(request, organisation_id, minimum=Role.VIEWER):
    organisation, membership = organisation_for_member(request.user, organisation_id)
    if not membership.has_role(minimum):
        require_role(request.user, organisation, minimum)
    return organisation, membership


def _filters(request, organisation):
    """The period and filters asked for, with what was not understood left at its default."""
    years = selectors.flow_years(organisation) or [timezone.localdate().year]
    form = FigureFilterForm(
        request.GET or None,
        years=years,
        country_codes=selectors.flow_countries(organisation),
    )
    chosen = {"year": years[0], "basis": "calendar", "kind": FlowKind.DISBURSEMENT}
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 400
        chosen.update({k: v for k, v in form.cleaned_data.items() if v not in ("", None)})
    span = selectors.period(organisation, chosen["year"], chosen["basis"] == "fiscal")
    filters = selectors.Filters(
        kind=chosen["kind"],
        humanitarian_only=bool(chosen.get("humanitarian")),
        country=chosen.get("country", ""),
    )
    return form, span, filters, status


@login_required
def funding_overview(request, organisation_id):
    organisation, membership = _member(request, organisation_id)
    return _overview_page(request, organisation, membership)


def _overview_page(request, organisation, membership, humanitarian_form=None):
    form, span, filters, status = _filters(request, organisation)
    overview = selectors.funding_overview(organisation, span, filters)
    can_edit = membership.has_role(Role.EDITOR)
    if humanitarian_form is None and can_edit:
        entered = overview["humanitarian"].entered
        humanitarian_form = HumanitarianFundingForm(
            initial={
                "year": span.year,
                "currency": entered.currency if entered else overview["currency"],
                "amount": entered.amount if entered else None,
                "source_note": entered.source_note if entered else "",
            }
        )
    elif humanitarian_form is not None:
        status = 400
    return render(
        request,
        "funding/overview.html",
        {
            "organisation": organisation,
            "form": form,
            "span": span,
            "filters": filters,
            "overview": overview,
            "figures": FIGURES,
            "query": request.GET.urlencode(),
            "can_edit": can_edit,
            "is_admin": membership.has_role(Role.ADMIN),
            "waiting_receivers": selectors.receivers_waiting_count(organisation),
            "humanitarian_form": humanitarian_form,
            "humanitarian_entries": selectors.humanitarian_funding_of(organisation),
        },
        status=status,
    )


@login_required
@require_POST
def humanitarian_funding_save(request, organisation_id):
    """An editor enters the organisation's total humanitarian funding for a year."""
    organisation, membership = _member(request, organisation_id, Role.EDITOR)
    form = HumanitarianFundingForm(request.POST)
    saved = submit(
        request,
        form,
        lambda data: services.humanitarian_funding_save(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if saved is None:
        return _overview_page(request, organisation, membership, form)
    messages.success(
        request,
        _("The humanitarian funding for %(year)s is saved.") % {"year": saved.year},
    )
    url = reverse("funding_overview", args=[organisation.pk])
    return redirect(f"{url}?year={saved.year}")


@login_required
def funding_figure(request, organisation_id, figure):
    """The flows behind one figure: those it counts, and the rest of its whole."""
    organisation, _membership = _member(request, organisation_id)
    if figure not in FIGURES and figure not in ("waiting", "no_rate", "unmatched"):
        raise Http404(_("There is no such figure."))
    form, span, filters, status = _filters(request, organisation)
    valued, currency = selectors.valued_flows(organisation, span, filters)
    total = selectors.humanitarian_total(organisation, span, currency)
    metrics = localisation_metrics(
        selectors.facts_of(valued), None if filters.country else total.value
    )
    if figure in FIGURES:
        chosen = metrics.figures[figure]
        inside, whole = set(chosen.numerator_ids), set(chosen.denominator_ids)
        title = FIGURES[figure]
    else:
        inside = whole = set(getattr(metrics, figure))
        chosen = None
        title = {
            "waiting": _("Flows whose receiver waits for a decision"),
            "no_rate": _("Flows with no exchange rate"),
            "unmatched": _("Reversals with nothing to net in this period"),
        }[figure]
    rows = [dict(row, counted=row["pk"] in inside) for row in valued if row["pk"] in whole]
    return render(
        request,
        "funding/figure.html",
        {
            "organisation": organisation,
            "form": form,
            "span": span,
            "figure": chosen,
            "code": figure,
            "title": title,
            "rows": rows,
            "currency": currency,
            "humanitarian": total,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@login_required
def flow_list(request, organisation_id):
    organisation, membership = _member(request, organisation_id)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    source = request.GET.get("source", "")
    listing = selectors.flows_page(
        organisation,
        source=source if source in dict(selectors.Flow._meta.get_field("source").choices) else "",
        query=request.GET.get("q", "").strip()[:100],
        page=page,
    )
    return render(
        request,
        "funding/flows.html",
        {
            "organisation": organisation,
            "listing": listing,
            "sources": selectors.Flow._meta.get_field("source").choices,
            "source": source,
            "q": request.GET.get("q", "")[:100],
            "can_edit": membership.has_role(Role.EDITOR),
            "imports": selectors.imports_of(organisation),
            "by_source": selectors.amounts_by_source(organisation),
        },
    )


def _partners(organisation):
    """Organisations that share a partnership with this one, for the receiver list."""
    partnerships = Party.objects.filter(organisation=organisation).values("partnership_id")
    return (
        Organisation.objects.filter(
            Q(parties__partnership_id__in=partnerships) & ~Q(pk=organisation.pk)
        )
        .distinct()
        .order_by("name")
    )


def _flow_form(request, organisation, flow=None):
    form = FlowForm(request.POST or None, instance=flow, partners=_partners(organisation))
    if flow is None:
        sent = submit_once(
            request,
            form,
            lambda data: services.flow_create(
                actor=request.user, organisation=organisation, data=data
            ),
        )
        if sent is not None and sent.again:
            already_sent(request)
            return redirect("flow_list", organisation_id=organisation.pk)
        saved = sent and sent.obj
    else:
        saved = submit(
            request,
            form,
            lambda data: services.flow_update(actor=request.user, flow=flow, data=data),
        )
    if saved is not None:
        messages.success(request, _("The funding flow is saved."))
        return redirect("flow_list", organisation_id=organisation.pk)
    return render(
        request,
        "funding/flow_form.html",
        {"organisation": organisation, "form": form, "flow": flow},
        status=form_status(request),
    )


@login_required
def flow_create(request, organisation_id):
    organisation, _membership = _member(request, organisation_id, Role.EDITOR)
    return _flow_form(request, organisation)


@login_required
def flow_edit(request, organisation_id, flow_id):
    organisation, membership = _member(request, organisation_id)
    flow = selectors.flow_for_member(organisation, flow_id)
    if flow.source != "manual" or not membership.has_role(Role.EDITOR):
        return render(
            request,
            "funding/flow_detail.html",
            {
                "organisation": organisation,
                "flow": flow,
                "can_edit": membership.has_role(Role.EDITOR),
            },
        )
    return _flow_form(request, organisation, flow)


@login_required
@require_POST
def flow_delete(request, organisation_id, flow_id):
    organisation, _membership = _member(request, organisation_id, Role.EDITOR)
    flow = selectors.flow_for_member(organisation, flow_id)
    try:
        services.flow_delete(actor=request.user, flow=flow)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("flow_edit", organisation_id=organisation.pk, flow_id=flow.pk)
    messages.success(request, _("The funding flow is deleted."))
    return redirect("flow_list", organisation_id=organisation.pk)


@login_required
@require_POST
def flows_derive(request, organisation_id):
    organisation, _membership = _member(request, organisation_id, Role.EDITOR)
    result = services.flows_derive_from_agreements(actor=request.user, organisation=organisation)
    messages.success(
        request,
        _(
            "From the agreements: %(stored)s new, %(updated)s updated, %(unchanged)s unchanged. "
            "%(skipped)s partnerships were left out because their agreement has no amount, no "
            "start date or no local partner."
        )
        % {**result, "skipped": len(result["skipped"])},
    )
    return redirect("flow_list", organisation_id=organisation.pk)


@login_required
def flow_template(request, organisation_id):
    _member(request, organisation_id)
    response = HttpResponse(services.csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="counterpart-funding-flows.csv"'
    return response


@login_required
def import_create(request, organisation_id):
    organisation, _membership = _member(request, organisation_id, Role.EDITOR)
    form = ImportForm(request.POST or None, request.FILES or None)
    record = submit(
        request,
        form,
        lambda data: services.funding_import_create(
            actor=request.user,
            organisation=organisation,
            kind=data["kind"],
            uploaded=data["file"],
        ),
    )
    if record is not None:
        return redirect(
            "funding_import_detail", organisation_id=organisation.pk, import_id=record.pk
        )
    return render(
        request,
        "funding/import_form.html",
        {
            "organisation": organisation,
            "form": form,
            "limit": services.max_upload_bytes() // services.MB,
        },
        status=form_status(request),
    )


@login_required
def import_detail(request, organisation_id, import_id):
    organisation, _membership = _member(request, organisation_id)
    record = selectors.import_for_member(organisation, import_id)
    if services.import_stalled(record):
        # Its reader was stopped: queue it again or end it, so that it does not wait for good.
        services.funding_imports_recover(import_ids=[record.pk], run_here=False)
        record = selectors.import_for_member(organisation, import_id)
    lines = [
        (where, OUTCOMES.get(outcome, outcome), reason_text(reason, params) if reason else "")
        for where, outcome, reason, params in record.lines
    ]
    error = reason_text(record.error, record.counts.get("params")) if record.error else ""
    return render(
        request,
        "funding/import_detail.html",
        {"organisation": organisation, "record": record, "lines": lines, "error": error},
    )


@login_required
def receiver_list(request, organisation_id, failed=None):
    organisation, membership = _member(request, organisation_id)
    return render(
        request,
        "funding/receivers.html",
        {
            "organisation": organisation,
            "waiting": selectors.receivers_to_review(organisation),
            "decisions": selectors.decisions(organisation),
            "can_edit": membership.has_role(Role.EDITOR),
            "failed": failed,
        },
        status=400 if failed else 200,
    )


@login_required
@require_POST
def receiver_decide(request, organisation_id):
    organisation, _membership = _member(request, organisation_id, Role.EDITOR)
    form = DecisionForm(
        request.POST,
        allowed=Organisation.objects.filter(
            Q(pk__in=_partners(organisation).values("pk"))
            | Q(name__iexact=request.POST.get("name", "")[:300])
        ),
    )
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose what this receiver is."))
        changed = services.receiver_decide(
            actor=request.user,
            organisation=organisation,
            key=form.cleaned_data["key"],
            name=form.cleaned_data["name"],
            receiver_organisation=form.cleaned_data["receiver_organisation"],
            receiver_class=form.cleaned_data["receiver_class"],
        )
    except ValidationError as error:
        return receiver_list(request, organisation_id, failed=" ".join(error.messages))
    messages.success(
        request,
        _("Decided. %(count)s flows now count with this decision; later imports will use it too.")
        % {"count": changed},
    )
    return redirect("receiver_list", organisation_id=organisation.pk)


@login_required
def rate_list(request, organisation_id):
    organisation, membership = _member(request, organisation_id)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        require_role(request.user, organisation, Role.EDITOR)
    saved = submit(
        request,
        form,
        lambda data: services.exchange_rate_save(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if saved is not None:
        messages.success(request, _("The exchange rate is saved."))
        return redirect("rate_list", organisation_id=organisation.pk)
    return _rates_page(request, organisation, membership, form, RatesUploadForm())


def _rates_page(request, organisation, membership, form, upload, problems=()):
    return render(
        request,
        "funding/rates.html",
        {
            "organisation": organisation,
            "form": form,
            "upload": upload,
            "rates": selectors.rates_of(organisation),
            "currency": services.settings_for(organisation).currency,
            "can_edit": membership.has_role(Role.EDITOR),
            "problems": [(n, reason_text(code, params)) for n, code, params in problems],
        },
        status=form_status(request) if not problems else 400,
    )


@login_required
@require_POST
def rates_upload(request, organisation_id):
    organisation, membership = _member(request, organisation_id, Role.EDITOR)
    upload = RatesUploadForm(request.POST, request.FILES)
    result = None
    if upload.is_valid():
        try:
            result = services.exchange_rates_import(
                actor=request.user, organisation=organisation, uploaded=upload.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(upload, error)
    if result is None:
        return _rates_page(request, organisation, membership, RateForm(), upload)
    messages.success(request, _("%(count)s exchange rates saved.") % {"count": result["saved"]})
    if result["problems"]:
        return _rates_page(
            request, organisation, membership, RateForm(), RatesUploadForm(), result["problems"]
        )
    return redirect("rate_list", organisation_id=organisation.pk)


@login_required
@require_POST
def rate_delete(request, organisation_id, rate_id):
    organisation, _membership = _member(request, organisation_id, Role.EDITOR)
    rate = ExchangeRate.objects.filter(organisation=organisation, pk=rate_id).first()
    if rate is None:
        raise Http404(_("This exchange rate does not exist."))
    services.exchange_rate_delete(actor=request.user, rate=rate)
    messages.success(request, _("The exchange rate is deleted."))
    return redirect("rate_list", organisation_id=organisation.pk)


@login_required
def funding_settings(request, organisation_id):
    organisation, _membership = _member(request, organisation_id, Role.ADMIN)
    current = services.settings_for(organisation)
    form = SettingsForm(request.POST or None, instance=current)
    saved = submit(
        request,
        form,
        lambda data: services.funding_settings_update(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if saved is not None:
        messages.success(request, _("The funding settings are saved."))
        return redirect("funding_overview", organisation_id=organisation.pk)
    return render(
        request,
        "funding/settings.html",
        {"organisation": organisation, "form": form},
        status=form_status(request),
    )
