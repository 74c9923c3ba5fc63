"""The partners' concerns channel."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    FUNDING = "funding", _("Funding")
    DECISIONS = "decisions", _("Decisions")
    RESPECT = "respect", _("Respect")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    FRAUD = "fraud", _("Fraud or corruption")
    OTHER = "other", _("Other")
