"""Addresses of the XLSX and CSV downloads: one name per export, the format at the end
(`responses.xlsx`, `responses.csv`), so that each export is listed once among the
permissions."""

from django.urls import path, register_converter

from . import export_views as views


class FormatConverter:
    regex = "xlsx|csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "export_format")

urlpatterns = [
    path(
        "rounds/<id:round_id>/responses.<export_format:fmt>",
        views.round_responses,
        name="export_round_responses",
    ),
    path(
        "rounds/<id:round_id>/results.<export_format:fmt>",
        views.round_results_export,
        name="export_round_results",
    ),
    path(
        "partnerships/<id:partnership_id>/commitments.<export_format:fmt>",
        views.partnership_commitments,
        name="export_partnership_commitments",
    ),
    path(
        "organisations/<id:organisation_id>/commitments.<export_format:fmt>",
        views.organisation_commitments,
        name="export_organisation_commitments",
    ),
    path(
        "organisations/<id:organisation_id>/concerns.<export_format:fmt>",
        views.concerns,
        name="export_concerns",
    ),
    path(
        "organisations/<id:organisation_id>/funding/flows.<export_format:fmt>",
        views.flows,
        name="export_flows",
    ),
]
