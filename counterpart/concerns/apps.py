from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "counterpart.concerns"
    verbose_name = _("Concerns")

    def ready(self):
        from . import signals  # noqa: F401  (connects the sign-in receiver)
