from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "counterpart.api"
    verbose_name = "API"

    def ready(self):
        from . import receivers  # noqa: F401  (revokes tokens when a password changes)
