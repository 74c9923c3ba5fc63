"""The REST API. Each endpoint reads through the same selectors, and writes through the same
services, as the pages: the same people see the same things, and every write is checked and
audit-logged there."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from counterpart.assessments import services as round_services
from counterpart.assessments.models import Round, RoundKind
from counterpart.assessments.selectors import results_visible, round_for_user
from counterpart.commitments.models import Commitment
from counterpart.common.caching import keep_private
from counterpart.concerns.models import Concern
from counterpart.frameworks import selectors as framework_selectors
from counterpart.frameworks import xlsform
from counterpart.frameworks.models import FrameworkVersion
from counterpart.funding import selectors as funding_selectors
from counterpart.funding.metrics import localisation_metrics
from counterpart.funding.models import Flow
from counterpart.funding.views import FIGURES
from counterpart.insights.selectors import round_results
from counterpart.organisations.models import Organisation
from counterpart.partnerships.models import Partnership

from . import filters, selectors, serializers
from .errors import MESSAGES, ErrorBody
from .models import ApiToken
from .results import results_data
from .services import api_token_revoke

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ERRORS = {
    400: OpenApiResponse(ErrorBody, description="The request is not valid."),
    401: OpenApiResponse(ErrorBody, description="No valid token."),
    403: OpenApiResponse(ErrorBody, description="Not allowed."),
    404: OpenApiResponse(ErrorBody, description="Not found, or not yours to see."),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


READ_ERRORS = _errors(401, 404)
# An id in a path has at most 18 digits; longer ones are simply not found.
ID = "[0-9]{1,18}"


def documented(tag):
    """The schema of a read-only collection: its list (paged) and its items, under a tag."""

    def document(view):
        serializer = view.serializer_class
        views = extend_schema_view(
            list=extend_schema(responses={200: serializer(many=True), **LIST_ERRORS}),
            retrieve=extend_schema(responses={200: serializer, **READ_ERRORS}),
        )
        return views(extend_schema(tags=[tag])(view))

    return document


def _found(queryset, pk):
    """The object among those the person may see, or a 404 that names nothing."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise exceptions.NotFound(MESSAGES[404]())
    return found


class Scoped:
    """Objects are listed and looked up among those `visible(user)` gives the person, by an id
    of digits only."""

    lookup_value_regex = ID
    visible = None

    def get_queryset(self):
        return type(self).visible(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound(MESSAGES[404]()) from None


LIST_ERRORS = _errors(400, 401, 404)  # 404: a page past the last


@documented("organisations")
class OrganisationViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """The organisations you are a member of."""

    queryset = Organisation.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.OrganisationSerializer

    visible = staticmethod(selectors.organisations_of)

    @extend_schema(
        summary="Localisation metrics",
        parameters=[serializers.MetricsQuerySerializer],
        responses={200: serializers.MetricsSerializer, **_errors(400, 401, 404)},
    )
    @action(detail=True, methods=["get"])
    def metrics(self, request, pk=None):
        """The funding figures of one year (calendar, or financial with `fiscal=true`), as the
        funding page shows them. Flows left out are counted, never guessed."""
        organisation = self.get_object()
        query = serializers.MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        year = options.get("year") or timezone.localdate().year
        span = funding_selectors.period(organisation, year, options["fiscal"])
        found = funding_selectors.Filters(
            kind=options["kind"],
            humanitarian_only=options["humanitarian_only"],
            country=options["country"],
        )
        valued, currency = funding_selectors.valued_flows(organisation, span, found)
        humanitarian = funding_selectors.humanitarian_total(organisation, span, currency)
        # The Grand Bargain share is for the whole organisation: not worked out for one country.
        metrics = localisation_metrics(
            funding_selectors.facts_of(valued), None if found.country else humanitarian.value
        )
        data = {
            "organisation": organisation.pk,
            "period": span.label,
            "start": span.start,
            "end": span.end,
            "kind": found.kind,
            "currency": currency,
            "total": metrics.total,
            "counted": metrics.counted,
            "waiting": len(metrics.waiting),
            "no_rate": len(metrics.no_rate),
            "overhead_average": metrics.overhead_average,
            "figures": [
                {
                    "code": code,
                    "label": str(FIGURES[code]),
                    "share": figure.share,
                    "numerator": figure.numerator,
                    "denominator": figure.denominator,
                    "unit": figure.unit,
                    "target": figure.target,
                    "meets_target": figure.meets_target,
                }
                for code, figure in metrics.figures.items()
            ],
        }
        return Response(serializers.MetricsSerializer(data).data)


@documented("partnerships")
class PartnershipViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """The partnerships your organisations are part of."""

    queryset = Partnership.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.PartnershipSerializer
    filterset_class = filters.PartnershipFilter

    visible = staticmethod(selectors.partnerships_of)


@documented("rounds")
class RoundViewSet(Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Assessment rounds: partnership rounds of your partnerships, and partner feedback rounds
    about your organisations."""

    queryset = Round.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.RoundSerializer
    filterset_class = filters.RoundFilter

    visible = staticmethod(selectors.rounds_of)

    def _round(self):
        # Found through the same check as the round's pages, then counted like the list.
        round_for_user(self.request.user, self.kwargs["pk"])
        return _found(self.get_queryset(), pk=self.kwargs["pk"])

    def _answer(self, round_, code=status.HTTP_200_OK):
        round_ = _found(self.get_queryset(), pk=round_.pk)
        return Response(serializers.RoundSerializer(round_).data, status=code)

    @extend_schema(
        summary="Prepare a round",
        request=serializers.RoundCreateSerializer,
        responses={201: serializers.RoundSerializer, **_errors(400, 401, 403, 404)},
    )
    def create(self, request, *args, **kwargs):
        given = serializers.RoundCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        organisation = _found(selectors.organisations_of(request.user), pk=data.pop("organisation"))
        kind = data.pop("kind")
        versions = selectors.versions_for_new_round(
            request.user, organisation, data.get("partnership")
        )
        version_id = data.pop("framework_version")
        version = versions.filter(pk=version_id).first()
        if version is None:
            raise exceptions.ValidationError(
                {"framework_version": [_("This framework version cannot be used for this round.")]}
            )
        data["framework_version"] = version
        if kind == RoundKind.PARTNERSHIP:
            partnership = _found(
                selectors.partnerships_of(request.user), pk=data.pop("partnership")
            )
            data.pop("threshold", None)
            round_ = round_services.round_create(
                actor=request.user, partnership=partnership, organisation=organisation, **data
            )
        else:
            for name in ("partnership", "stage", "privacy"):
                data.pop(name, None)
            round_ = round_services.round_create_pooled(
                actor=request.user, organisation=organisation, **data
            )
        return self._answer(round_, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ask someone to answer",
        request=serializers.RespondentCreateSerializer,
        responses={201: serializers.RespondentSerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def respondents(self, request, pk=None):
        """Add a person who answers, for one side (in a partner feedback round, the side is
        always the local one). Each side names its own people: 403 for a side you do not edit
        for. Their link is emailed when the round opens."""
        round_ = self._round()
        given = serializers.RespondentCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        respondent = round_services.respondent_add(
            actor=request.user, round_=round_, **given.validated_data
        )
        return Response(
            serializers.RespondentSerializer(respondent).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Accept the settings for one side",
        request=serializers.SideAcceptSerializer,
        responses={200: serializers.RoundSerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        round_ = self._round()
        given = serializers.SideAcceptSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        round_services.round_accept(
            actor=request.user, round_=round_, side=given.validated_data["side"]
        )
        return self._answer(round_)

    @extend_schema(
        summary="Open the round",
        request=None,
        responses={200: serializers.RoundSerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open the round and email every respondent their personal link."""
        round_ = round_services.round_open(actor=request.user, round_=self._round())
        return self._answer(round_)

    @extend_schema(
        summary="Close the round",
        request=None,
        responses={200: serializers.RoundSerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Stop the answers now. A partnership round's results are then released; a partner
        feedback round's only once it has enough responses."""
        round_ = round_services.round_close(actor=request.user, round_=self._round())
        return self._answer(round_)

    @extend_schema(
        summary="Results",
        parameters=[
            OpenApiParameter(
                "lang", str, description="Language of the questionnaire text, if it has it."
            )
        ],
        responses={200: serializers.ResultsSerializer, **_errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """The scores, gaps, statements and comments, as the results page shows them. Refused
        (403) while the round is sealed: until both sides have submitted or it closes, and in a
        partner feedback round until enough partners have answered."""
        round_ = round_for_user(request.user, pk, results=True)
        if not results_visible(round_):
            raise exceptions.PermissionDenied(
                _(
                    "The results are sealed: they are shown once the round is released, and in "
                    "a partner feedback round only once enough partners have answered."
                )
            )
        language = framework_selectors.content_language(
            round_.framework_version, request.query_params.get("lang"), get_language()
        )
        # People's answers, counted: kept by no cache, as on the results page.
        return keep_private(Response(results_data(round_results(round_, language))))


@documented("commitments")
class CommitmentViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """The commitments of your partnerships."""

    queryset = Commitment.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.CommitmentSerializer
    filterset_class = filters.CommitmentFilter

    visible = staticmethod(selectors.commitments_of)


@documented("concerns")
class ConcernViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """The concerns you handle as a focal point (or, for the categories admins see, as an
    admin). Everyone else sees an empty list."""

    queryset = Concern.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.ConcernSerializer
    filterset_class = filters.ConcernFilter

    visible = staticmethod(selectors.concerns_of)


@documented("funding")
class FlowViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """The funding flows of your organisations."""

    queryset = Flow.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.FlowSerializer
    filterset_class = filters.FlowFilter

    visible = staticmethod(selectors.flows_of)


@documented("frameworks")
class FrameworkVersionViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """Framework versions you may use: the built-in ones, your organisations' and your
    partners'."""

    queryset = FrameworkVersion.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.FrameworkVersionSerializer

    visible = staticmethod(framework_selectors.versions_for_user)

    @extend_schema(
        summary="Download as XLSForm",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The XLSForm file."),
            **READ_ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def xlsform(self, request, pk=None):
        version = framework_selectors.version_for_user(request.user, pk)
        data = xlsform.write_workbook(framework_selectors.parsed_from_version(version))
        response = HttpResponse(data, content_type=XLSX)
        name = f"{version.framework.slug}-v{version.number}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@documented("tokens")
class TokenViewSet(Scoped, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Your API tokens. Make new ones on the site's 'API tokens' page; revoke here or there."""

    queryset = ApiToken.objects.none()  # for the schema; each request reads its own
    serializer_class = serializers.ApiTokenSerializer

    visible = staticmethod(selectors.tokens_qs)

    @extend_schema(summary="Revoke a token", responses={204: None, **READ_ERRORS})
    def destroy(self, request, *args, **kwargs):
        api_token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def api_not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404 like the rest of the API."""
    from django.http import JsonResponse

    return JsonResponse(
        {"error": {"status": 404, "code": "not_found", "message": MESSAGES[404]()}}, status=404
    )
