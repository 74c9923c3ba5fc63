from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "counterpart.api"
    verbose_name = "API"
