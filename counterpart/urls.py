from django.urls import include, path, register_converter
from django.views.i18n import set_language

from counterpart.common import views as common_views
from counterpart.common.converters import IdConverter
from counterpart.organisations import views as organisation_views

register_converter(IdConverter, "id")

urlpatterns = [
    path("", common_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("counterpart.api.urls")),
    path("accounts/", include("counterpart.accounts.urls")),
    path("organisations/", include("counterpart.organisations.urls")),
    path(
        "invitations/<str:token>/",
        organisation_views.invitation_accept,
        name="invitation_accept",
    ),
    path("partnerships/", include("counterpart.partnerships.urls")),
    path("frameworks/", include("counterpart.frameworks.urls")),
    path("notifications/", include("counterpart.notifications.urls")),
    path("", include("counterpart.commitments.urls")),
    path("", include("counterpart.concerns.urls")),
    path("", include("counterpart.funding.urls")),
    path("", include("counterpart.reports.urls")),
    path("", include("counterpart.insights.urls")),
    path("", include("counterpart.assessments.urls")),
]

handler404 = "counterpart.common.views.not_found"
