"""Pages of insight: a round's results and dialogue guide, a partnership's trend, and an
organisation's portfolio with the benchmark."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counterpart.assessments.permissions import can_manage
from counterpart.assessments.selectors import (
    organisations_answered,
    results_visible,
    round_for_user,
)
from counterpart.commitments import selectors as commitment_selectors
from counterpart.common.caching import private_page
from counterpart.frameworks import selectors as framework_selectors
from counterpart.organisations.selectors import organisation_for_member
from counterpart.partnerships.models import Side
from counterpart.partnerships.selectors import partnership_for_user

from . import selectors, services
from .forms import DialogueNoteForm, PortfolioFilterForm


def _sealed(request, round_):
    return render(
        request,
        "assessments/round_sealed.html",
        {"round": round_, "organisations_answered": organisations_answered(round_)},
        status=403,
    )


def _results(request, round_):
    version = round_.framework_version
    language = framework_selectors.content_language(
        version, request.GET.get("lang"), get_language()
    )
    return selectors.round_results(round_, language), framework_selectors.language_names(version)


@login_required
@private_page
def round_results(request, round_id):
    round_ = round_for_user(request.user, round_id, results=True)
    if not results_visible(round_):
        return _sealed(request, round_)
    results, languages = _results(request, round_)
    return render(
        request,
        "insights/round_results.html",
        {
            "round": round_,
            "results": results,
            "languages": languages,
            **_commitments(request, round_),
        },
    )


def _commitments(request, round_):
    """What the round led to and followed up, for a partnership round's pages."""
    if round_.partnership_id is None:
        return {}
    return {
        "commitments": commitment_selectors.round_commitments(round_),
        "labels": commitment_selectors.STATUS_LABELS,
        "sides": Side.choices,
        "can_propose": can_manage(request.user, round_),
    }


@login_required
@private_page
def dialogue_guide(request, round_id):
    round_ = round_for_user(request.user, round_id, results=True)
    if not results_visible(round_):
        return _sealed(request, round_)
    return _render_guide(request, round_)


def _render_guide(request, round_, failed=None, status=200):
    results, languages = _results(request, round_)
    return render(
        request,
        "insights/dialogue_guide.html",
        {
            "round": round_,
            "results": results,
            "languages": languages,
            "entries": selectors.dialogue_guide(results),
            "can_write": can_manage(request.user, round_),
            "failed": failed,
            "can_propose": round_.partnership_id is not None and can_manage(request.user, round_),
        },
        status=status,
    )


@login_required
@require_POST
@private_page
def dialogue_note(request, round_id):
    round_ = round_for_user(request.user, round_id, results=True)
    form = DialogueNoteForm(request.POST)
    if form.is_valid():
        try:
            services.dialogue_note_save(actor=request.user, round_=round_, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        if not results_visible(round_):
            return _sealed(request, round_)
        return _render_guide(request, round_, failed=form, status=400)
    messages.success(request, _("The meeting notes are saved."))
    topic = form.cleaned_data["topic"]
    return redirect(reverse("dialogue_guide", args=[round_.pk]) + f"#topic-{topic}")


@login_required
def partnership_trend(request, partnership_id):
    partnership = partnership_for_user(request.user, partnership_id)
    return render(
        request,
        "insights/partnership_trend.html",
        {
            "partnership": partnership,
            "trend": selectors.partnership_trend(partnership, get_language()),
        },
    )


@login_required
def portfolio(request, organisation_id):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    years = selectors.release_years(organisation)
    form = PortfolioFilterForm(
        request.GET or None,
        years=years,
        country_codes=selectors.partnership_countries(organisation),
    )
    filters = selectors.PortfolioFilters()
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 400
        # The filters that were understood still apply.
        for name, value in form.cleaned_data.items():
            if value:
                setattr(filters, name, value)
    return render(
        request,
        "insights/portfolio.html",
        {
            "organisation": organisation,
            "form": form,
            "portfolio": selectors.portfolio(organisation, filters, get_language()),
            "benchmark": selectors.benchmark(organisation, get_language()),
            "query": _query_without_page(request),
        },
        status=status,
    )


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
