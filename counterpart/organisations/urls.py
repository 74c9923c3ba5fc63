from django.urls import path

from . import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<id:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("<id:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<id:organisation_id>/members/", views.member_list, name="member_list"),
    path(
        "<id:organisation_id>/members/<id:membership_id>/role/",
        views.member_set_role,
        name="member_set_role",
    ),
    path(
        "<id:organisation_id>/members/<id:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "<id:organisation_id>/invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<id:organisation_id>/audit/", views.audit_log, name="audit_log"),
]
