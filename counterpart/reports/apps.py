from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "counterpart.reports"
    verbose_name = "Reports and exports"
