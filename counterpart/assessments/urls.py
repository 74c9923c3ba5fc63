from django.urls import path

from . import convened_views, views

urlpatterns = [
    path("rounds/new/partnership/<id:partnership_id>/", views.round_create, name="round_create"),
    path(
        "rounds/new/feedback/<id:organisation_id>/",
        views.round_create_pooled,
        name="round_create_pooled",
    ),
    path(
        "rounds/new/about-funders/<id:organisation_id>/",
        convened_views.round_convene,
        name="round_convene",
    ),
    path("rounds/<id:round_id>/", views.round_detail, name="round_detail"),
    path(
        "rounds/<id:round_id>/invitations/",
        convened_views.convened_invite,
        name="convened_invite",
    ),
    path("rounds/<id:round_id>/publish/", convened_views.round_publish, name="round_publish"),
    path(
        "feedback-invitations/<id:invitation_id>/",
        convened_views.convened_invitation,
        name="convened_invitation",
    ),
    path(
        "feedback-invitations/<id:invitation_id>/answer/",
        convened_views.convened_invitation_answer,
        name="convened_invitation_answer",
    ),
    path("rounds/<id:round_id>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<id:round_id>/accept/", views.round_accept, name="round_accept"),
    path("rounds/<id:round_id>/open/", views.round_open, name="round_open"),
    path("rounds/<id:round_id>/close/", views.round_close, name="round_close"),
    path("rounds/<id:round_id>/extend/", views.round_extend, name="round_extend"),
    path("rounds/<id:round_id>/partners/", views.round_partners, name="round_partners"),
    path(
        "rounds/<id:round_id>/our-colleagues/",
        views.round_partner_staff,
        name="round_partner_staff",
    ),
    path("rounds/<id:round_id>/respondents/", views.respondent_add, name="respondent_add"),
    path("rounds/<id:round_id>/send-again/", views.round_mail_retry, name="round_mail_retry"),
    path(
        "rounds/<id:round_id>/respondents/<id:respondent_id>/remove/",
        views.respondent_remove,
        name="respondent_remove",
    ),
    path(
        "rounds/<id:round_id>/respondents/<id:respondent_id>/send/",
        views.respondent_send,
        name="respondent_send",
    ),
    path("rounds/<id:round_id>/questionnaire.xlsx", views.round_xlsform, name="round_xlsform"),
    path("rounds/<id:round_id>/import/", views.round_import, name="round_import"),
    path("respond/start/", views.respond_start, name="respond_start"),
    path("respond/page/<int:page>/", views.respond_page, name="respond_page"),
    path("respond/review/", views.respond_review, name="respond_review"),
    path("respond/done/", views.respond_done, name="respond_done"),
    path("respond/<str:token>/", views.respond_enter, name="respond_enter"),
]
