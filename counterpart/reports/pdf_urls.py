from django.urls import path

from . import pdf_views

urlpatterns = [
    path("rounds/<id:round_id>/report.pdf", pdf_views.round_report_pdf, name="round_report_pdf"),
    path(
        "organisations/<id:organisation_id>/reports/",
        pdf_views.annual_reports,
        name="annual_reports",
    ),
    path(
        "organisations/<id:organisation_id>/report/<int:year>.pdf",
        pdf_views.accountability_report_pdf,
        name="accountability_report_pdf",
    ),
]
