from django.urls import path

from . import views

P = "organisations/<id:organisation_id>/funding/"

urlpatterns = [
    path(P, views.funding_overview, name="funding_overview"),
    path(P + "humanitarian/", views.humanitarian_funding_save, name="humanitarian_funding_save"),
    path(P + "figures/<slug:figure>/", views.funding_figure, name="funding_figure"),
    path(P + "flows/", views.flow_list, name="flow_list"),
    path(P + "flows/new/", views.flow_create, name="flow_create"),
    path(P + "flows/<id:flow_id>/", views.flow_edit, name="flow_edit"),
    path(P + "flows/<id:flow_id>/delete/", views.flow_delete, name="flow_delete"),
    path(P + "flows/from-agreements/", views.flows_derive, name="flows_derive"),
    path(P + "flows/template.csv", views.flow_template, name="flow_template"),
    path(P + "imports/new/", views.import_create, name="funding_import_create"),
    path(P + "imports/<id:import_id>/", views.import_detail, name="funding_import_detail"),
    path(P + "receivers/", views.receiver_list, name="receiver_list"),
    path(P + "receivers/decide/", views.receiver_decide, name="receiver_decide"),
    path(P + "rates/", views.rate_list, name="rate_list"),
    path(P + "rates/upload/", views.rates_upload, name="rates_upload"),
    path(P + "rates/<id:rate_id>/delete/", views.rate_delete, name="rate_delete"),
    path(P + "settings/", views.funding_settings, name="funding_settings"),
]
