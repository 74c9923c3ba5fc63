from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "counterpart.frameworks"
    label = "frameworks"
    verbose_name = _("Frameworks")

    def ready(self):
        from .services import builtin_frameworks_load_after_migrate

        post_migrate.connect(builtin_frameworks_load_after_migrate, sender=self)
