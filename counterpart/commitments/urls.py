from django.urls import path

from . import views

urlpatterns = [
    path(
        "rounds/<id:round_id>/commitments/new/",
        views.commitment_propose,
        name="commitment_propose",
    ),
    path(
        "partnerships/<id:partnership_id>/commitments/",
        views.partnership_commitments,
        name="partnership_commitments",
    ),
    path("commitments/<id:commitment_id>/", views.commitment_detail, name="commitment_detail"),
    path(
        "commitments/<id:commitment_id>/accept/",
        views.commitment_accept,
        name="commitment_accept",
    ),
    path(
        "commitments/<id:commitment_id>/decline/",
        views.commitment_decline,
        name="commitment_decline",
    ),
    path("commitments/<id:commitment_id>/change/", views.commitment_amend, name="commitment_amend"),
    path(
        "commitments/<id:commitment_id>/report/",
        views.commitment_report,
        name="commitment_report",
    ),
    path(
        "commitments/<id:commitment_id>/confirm/",
        views.commitment_confirm,
        name="commitment_confirm",
    ),
    path(
        "commitments/<id:commitment_id>/dispute/",
        views.commitment_dispute,
        name="commitment_dispute",
    ),
    path(
        "commitments/evidence/<id:update_id>/",
        views.commitment_evidence,
        name="commitment_evidence",
    ),
    path(
        "accountability/<id:organisation_id>/",
        views.accountability_page,
        name="accountability_page",
    ),
]
