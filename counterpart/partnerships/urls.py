from django.urls import path

from . import views

urlpatterns = [
    path("", views.partnership_list, name="partnership_list"),
    path("new/", views.partnership_create, name="partnership_create"),
    path("<id:partnership_id>/", views.partnership_detail, name="partnership_detail"),
    path("<id:partnership_id>/edit/", views.partnership_edit, name="partnership_edit"),
    path("<id:partnership_id>/stage/", views.partnership_stage, name="partnership_stage"),
    path("<id:partnership_id>/agreement/", views.agreement_edit, name="agreement_edit"),
    path("<id:partnership_id>/parties/add/", views.party_add, name="party_add"),
    path(
        "<id:partnership_id>/parties/<id:party_id>/invite/",
        views.party_invite,
        name="party_invite",
    ),
    path(
        "<id:partnership_id>/parties/<id:party_id>/remove/",
        views.party_remove,
        name="party_remove",
    ),
    path(
        "<id:partnership_id>/parties/<id:party_id>/leave/",
        views.party_leave,
        name="party_leave",
    ),
    path("proposals/<id:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<id:proposal_id>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<id:proposal_id>/decline/", views.proposal_decline, name="proposal_decline"),
    path("proposals/<id:proposal_id>/invite/", views.proposal_invite, name="proposal_invite"),
    path("proposals/<id:proposal_id>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
]
