"""Downloads: the PDF reports and the XLSX and CSV exports."""

from .export_urls import urlpatterns as export_urlpatterns
from .pdf_urls import urlpatterns as pdf_urlpatterns

urlpatterns = pdf_urlpatterns + export_urlpatterns
