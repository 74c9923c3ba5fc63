from django.urls import path

from . import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("<int:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<int:organisation_id>/members/", views.member_list, name="member_list"),
    path(
        "<int:organisation_id>/members/<int:membership_id>/role/",
        views.member_set_role,
        name="member_set_role",
    ),
    path(
        "<int:organisation_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "<int:organisation_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:organisation_id>/audit/", views.audit_log, name="audit_log"),
]
