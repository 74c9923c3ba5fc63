from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "counterpart.assessments"
    verbose_name = _("Assessment rounds")

    def ready(self):
        from counterpart.common import health

        from .mailing import mail_health

        health.register("mail", mail_health)
