from django.urls import path

from . import views

urlpatterns = [
    path(
        "partnerships/<id:partnership_id>/concerns/new/",
        views.concern_raise,
        name="concern_raise",
    ),
    path("organisations/<id:organisation_id>/concerns/", views.concern_list, name="concern_list"),
    path(
        "organisations/<id:organisation_id>/concerns/settings/",
        views.concern_settings,
        name="concern_settings",
    ),
    path(
        "organisations/<id:organisation_id>/concerns/settings/new-link/",
        views.concern_intake_renew,
        name="concern_intake_renew",
    ),
    path("concerns/mine/", views.concern_mine, name="concern_mine"),
    path("concerns/mine/<id:concern_id>/", views.concern_mine_detail, name="concern_mine_detail"),
    # The private link is /concerns/track/#<code>: the code never reaches the server in an
    # address, only in the body of a POST to concern_track_open.
    path("concerns/track/", views.concern_track, name="concern_track"),
    path("concerns/track/open/", views.concern_track_open, name="concern_track_open"),
    path("concerns/to/<str:key>/", views.concern_intake, name="concern_intake"),
    path("concerns/<id:concern_id>/", views.concern_detail, name="concern_detail"),
    path(
        "concerns/<id:concern_id>/acknowledge/",
        views.concern_acknowledge,
        name="concern_acknowledge",
    ),
    path("concerns/<id:concern_id>/respond/", views.concern_respond, name="concern_respond"),
    path("concerns/<id:concern_id>/resolve/", views.concern_resolve, name="concern_resolve"),
    path("concerns/<id:concern_id>/note/", views.concern_note, name="concern_note"),
]
