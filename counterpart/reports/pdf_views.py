"""The PDF downloads: a round's report, and an organisation's annual accountability report.

Who may download each is who may read the page it comes from: the round report, whoever may
read the round's results (both sides of the partnership; for a partner feedback round, the
organisation that ran it), and only once the results are visible; the annual report, the
organisation's members."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from counterpart.assessments.selectors import (
    organisations_answered,
    results_visible,
    round_for_user,
)
from counterpart.frameworks.selectors import content_language
from counterpart.organisations.selectors import organisation_for_member

from . import pdf


def _pdf_response(content, name):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    add_never_cache_headers(response)
    return response


@login_required
def round_report_pdf(request, round_id):
    round_ = round_for_user(request.user, round_id, results=True)
    if not results_visible(round_):
        # The same answer as the results page: sealed, or too few partners to protect them.
        return render(
            request,
            "assessments/round_sealed.html",
            {"round": round_, "organisations_answered": organisations_answered(round_)},
            status=403,
        )
    language = get_language()
    content = pdf.round_report(
        round_,
        content_language(round_.framework_version, request.GET.get("lang"), language),
        language,
    )
    return _pdf_response(content, pdf.round_report_filename(round_))


@login_required
def annual_reports(request, organisation_id):
    """The years whose annual accountability report can be downloaded."""
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    return render(
        request,
        "reports/annual_reports.html",
        {"organisation": organisation, "years": pdf.report_years(organisation)},
    )


@login_required
def accountability_report_pdf(request, organisation_id, year):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    if not pdf.year_is_reportable(year):
        raise Http404(_("There is no report for this year."))
    content = pdf.annual_report(organisation, year, get_language())
    return _pdf_response(content, pdf.annual_report_filename(organisation, year))
