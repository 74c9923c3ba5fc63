from django.urls import path

from . import views

urlpatterns = [
    path("rounds/<id:round_id>/results/", views.round_results, name="round_results"),
    path("rounds/<id:round_id>/dialogue/", views.dialogue_guide, name="dialogue_guide"),
    path("rounds/<id:round_id>/dialogue/notes/", views.dialogue_note, name="dialogue_note"),
    path(
        "partnerships/<id:partnership_id>/trend/",
        views.partnership_trend,
        name="partnership_trend",
    ),
    path("organisations/<id:organisation_id>/portfolio/", views.portfolio, name="portfolio"),
]
