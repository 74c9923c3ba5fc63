from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import endpoints, views

router = DefaultRouter()
router.include_format_suffixes = False
router.register("organisations", endpoints.OrganisationViewSet, basename="api-organisation")
router.register("partnerships", endpoints.PartnershipViewSet, basename="api-partnership")
router.register("rounds", endpoints.RoundViewSet, basename="api-round")
router.register("commitments", endpoints.CommitmentViewSet, basename="api-commitment")
router.register("concerns", endpoints.ConcernViewSet, basename="api-concern")
router.register("flows", endpoints.FlowViewSet, basename="api-flow")
router.register(
    "framework-versions", endpoints.FrameworkVersionViewSet, basename="api-framework-version"
)
router.register("tokens", endpoints.TokenViewSet, basename="api-token")

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path("api/", include(router.urls)),
    re_path(r"^api/(?P<rest>.*)$", endpoints.api_not_found, name="api_not_found"),
    path("accounts/api-tokens/", views.token_list, name="api_tokens"),
    path("accounts/api-tokens/<id:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
