"""Downloads as XLSX or CSV: a round's responses and results, commitments, concerns and
funding flows. Each one checks exactly what its page checks, then streams the file.

The format is part of the address (`.xlsx` or `.csv`). Texts of the questionnaire follow
`?lang=` as the results page does; the headers and other labels are in that language when
Counterpart speaks it, else in the reader's language."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from counterpart.assessments.selectors import results_visible, round_for_user
from counterpart.concerns.permissions import standing_in
from counterpart.concerns.selectors import concerns_for
from counterpart.frameworks.selectors import content_language
from counterpart.funding.models import FlowSource
from counterpart.funding.selectors import Rates
from counterpart.funding.services import settings_for
from counterpart.insights.selectors import round_results
from counterpart.insights.views import _sealed
from counterpart.organisations.selectors import organisation_for_member
from counterpart.partnerships.selectors import partnership_for_user

from . import export_selectors as selectors
from . import export_services as services
from . import exports, writers


def _interface_language(request):
    asked = request.GET.get("lang", "")
    return asked if asked in dict(settings.LANGUAGES) else get_language()


def _round_languages(request, round_):
    """(questionnaire language, interface language) of a round's export."""
    version = round_.framework_version
    return (
        content_language(version, request.GET.get("lang"), get_language()),
        _interface_language(request),
    )


@login_required
def round_responses(request, round_id, fmt):
    round_ = round_for_user(request.user, round_id, results=True)
    if not results_visible(round_):
        return _sealed(request, round_)
    language, interface = _round_languages(request, round_)
    services.round_responses_export(actor=request.user, round_=round_, fmt=fmt)
    export = writers.Export(
        filename=exports.filename("round", round_.pk, round_.title, "responses"),
        build=lambda: exports.responses_tables(round_, language),
        language=interface,
    )
    return writers.response_for(export, fmt)


@login_required
def round_results_export(request, round_id, fmt):
    round_ = round_for_user(request.user, round_id, results=True)
    if not results_visible(round_):
        return _sealed(request, round_)
    language, interface = _round_languages(request, round_)
    results = round_results(round_, language)
    export = writers.Export(
        filename=exports.filename("round", round_.pk, round_.title, "results"),
        build=lambda: [exports.results_table(results)],
        language=interface,
    )
    return writers.response_for(export, fmt)


@login_required
def partnership_commitments(request, partnership_id, fmt):
    partnership = partnership_for_user(request.user, partnership_id)
    language = _interface_language(request)
    export = writers.Export(
        filename=exports.filename("partnership", partnership.pk, partnership.title, "commitments"),
        build=lambda: [
            exports.commitments_table(selectors.commitments_of(partnership=partnership), language)
        ],
        language=language,
    )
    return writers.response_for(export, fmt)


@login_required
def organisation_commitments(request, organisation_id, fmt):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    language = _interface_language(request)
    export = writers.Export(
        filename=exports.filename(organisation.name, "commitments"),
        build=lambda: [
            exports.commitments_table(selectors.commitments_of(organisation=organisation), language)
        ],
        language=language,
    )
    return writers.response_for(export, fmt)


@login_required
def concerns(request, organisation_id, fmt):
    organisation, membership = organisation_for_member(request.user, organisation_id)
    standing = standing_in(request.user, organisation, membership)
    if not standing.sees_concerns:
        raise PermissionDenied(
            _("Only the focal points and admins of %(organisation)s see its concerns.")
            % {"organisation": organisation.name}
        )
    # The concerns the list shows this person: safeguarding and fraud to focal points only.
    chosen = concerns_for(standing, organisation)
    services.concerns_export(
        actor=request.user, organisation=organisation, fmt=fmt, count=len(chosen)
    )
    export = writers.Export(
        filename=exports.filename(organisation.name, "concerns"),
        build=lambda: exports.concerns_tables(chosen),
        language=_interface_language(request),
    )
    return writers.response_for(export, fmt)


@login_required
def flows(request, organisation_id, fmt):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    source = request.GET.get("source", "")
    source = source if source in FlowSource.values else ""
    query = request.GET.get("q", "").strip()[:100]
    rates = Rates(organisation, settings_for(organisation).currency)
    export = writers.Export(
        filename=exports.filename(organisation.name, "funding-flows"),
        build=lambda: [
            exports.flows_table(selectors.flows_of(organisation, source=source, query=query), rates)
        ],
        language=_interface_language(request),
    )
    return writers.response_for(export, fmt)
