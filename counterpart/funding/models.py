"""Funding flows an organisation passed to partners, the exchange rates that value them, the
imports that brought them in, and the decisions people made about receivers.

A flow is one leg of money: from a provider to a receiver. When the receiver passed the money on
(an IATI activity that received it also paid others), the later legs point to it as their
`parent`: the receiver is then an intermediary, and the metrics count the money where it landed."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from counterpart.common.validators import single_line
from counterpart.partnerships.models import currency_code


class FlowKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    DISBURSEMENT = "disbursement", _("Disbursement")


class FlowSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    AGREEMENT = "agreement", _("From a partnership agreement")
    CSV = "csv", _("CSV file")
    IATI = "iati", _("IATI file")


class ReceiverClass(models.TextChoices):
    """What a receiver that is not an organisation on Counterpart counts as."""

    LOCAL = "local", _("Local or national actor")
    REFUGEE_LED = "rlo", _("Local refugee-led organisation")
    NOT_LOCAL = "not_local", _("Not local")
    REVIEW = "review", _("Waiting for a person to decide")


class FundingSettings(models.Model):
    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="funding_settings"
    )
    currency = models.CharField(
        _("currency the figures are shown in"),
        max_length=3,
        default="USD",
        validators=[currency_code],
    )
    fiscal_year_start = models.PositiveSmallIntegerField(
        _("first month of the financial year"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 for January (the calendar year), 4 for April, 7 for July, and so on."),
    )

    class Meta:
        verbose_name = _("funding settings")
        verbose_name_plural = _("funding settings")

    def __str__(self):
        return str(self.organisation)


class ExchangeRate(models.Model):
    """One unit of `currency` is worth `rate` units of the organisation's figures currency, from
    `valid_from` until the next rate for the same currency."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="exchange_rates"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=20,
        decimal_places=8,
        validators=[MinValueValidator(0.00000001)],
    )

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "currency", "valid_from"], name="exchange_rate_unique"
            )
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self):
        return f"{self.currency} {self.valid_from}: {self.rate}"


class ImportKind(models.TextChoices):
    CSV = "csv", _("CSV file")
    IATI = "iati", _("IATI file")


class ImportStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    DONE = "done", _("Done")
    FAILED = "failed", _("Could not be read")


class FundingImport(models.Model):
    """One file someone uploaded, and the report of what was read and skipped."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="funding_imports"
    )
    kind = models.CharField(max_length=8, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default="waiting")
    # What went wrong when the whole file could not be read (then nothing is stored).
    error = models.TextField(blank=True)
    # Counts: read, stored, unchanged, skipped, to_review, and the version of an IATI file.
    counts = models.JSONField(default=dict)
    # Row by row or activity by activity: [line or activity, what happened, why].
    lines = models.JSONField(default=list)
    lines_left_out = models.PositiveIntegerField(default=0)
    # Where the uploaded file waits for the import; emptied when the import is done.
    path = models.CharField(max_length=255, blank=True)
    # While a worker reads the file: when the first attempt began, the last sign of progress
    # (after each batch), how many attempts began, and the task of the latest one. An import
    # still waiting whose heartbeat stopped was interrupted (see funding_imports_recover).
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("funding import")
        verbose_name_plural = _("funding imports")

    def __str__(self):
        return self.filename


class ReceiverDecision(models.Model):
    """What a person decided a receiver is; applied to its flows now and in later imports."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="receiver_decisions"
    )
    key = models.CharField(max_length=300)
    name = models.CharField(max_length=300, blank=True)
    receiver_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    receiver_class = models.CharField(max_length=16, choices=ReceiverClass.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="receiver_decision_key")
        ]

    def __str__(self):
        return self.name or self.key


class ActivityLink(models.Model):
    """An IATI activity received money from another activity (`provider-activity-id`)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    activity = models.CharField(max_length=200)
    provider_activity = models.CharField(max_length=200)
    provider_ref = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "activity", "provider_activity"], name="activity_link"
            )
        ]
        indexes = [models.Index(fields=["organisation", "activity"])]

    def __str__(self):
        return f"{self.provider_activity} → {self.activity}"


class Flow(models.Model):
    # Not indexed alone: every index below starts with it, and each index slows imports.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="funding_flows",
        db_index=False,
    )
    kind = models.CharField(
        _("commitment or disbursement"), max_length=16, choices=FlowKind.choices
    )
    source = models.CharField(_("source"), max_length=16, choices=FlowSource.choices)
    # Recognises the same flow when a file is imported again or an agreement derived again.
    source_key = models.CharField(max_length=300)
    funding_import = models.ForeignKey(
        FundingImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flows",
        db_index=False,
    )
    # A hash of what the source said, to tell an unchanged flow at the next import.
    digest = models.CharField(max_length=32, blank=True, editable=False)
    partnership = models.ForeignKey(
        "partnerships.Partnership", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="funding_flows",
    )  # fmt: skip
    date = models.DateField(_("date"))
    # The day the amount is valued at, when the source gives one apart from the date.
    value_date = models.DateField(null=True, blank=True)
    # Negative for a reversal, a repayment or a reduced commitment: it nets the flows to the same
    # receiver from the same activity in the same period.
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    provider_name = models.CharField(
        _("provider"), max_length=300, blank=True, validators=[single_line]
    )
    provider_ref = models.CharField(max_length=200, blank=True)
    receiver_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="funding_received", verbose_name=_("receiver on Counterpart"),
    )  # fmt: skip
    receiver_name = models.CharField(
        _("receiver"), max_length=300, blank=True, validators=[single_line]
    )
    receiver_ref = models.CharField(_("receiver's IATI identifier"), max_length=200, blank=True)
    receiver_type = models.CharField(max_length=8, blank=True)
    # How a receiver that is not an organisation on Counterpart counts; ignored when it is one.
    receiver_class = models.CharField(
        _("receiver counts as"), max_length=16, choices=ReceiverClass.choices,
        default=ReceiverClass.REVIEW,
    )  # fmt: skip
    receiver_key = models.CharField(max_length=300, blank=True)
    country = CountryField(_("country"), blank=True)
    humanitarian = models.BooleanField(_("humanitarian"), null=True, blank=True)
    flexible = models.BooleanField(_("flexible (unearmarked)"), null=True, blank=True)
    multi_year = models.BooleanField(_("multi-year (24 months or more)"), null=True, blank=True)
    overhead_rate = models.DecimalField(
        _("overhead (indirect cost) rate covered, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Organisations the money passed through before the provider, in order, by name.
    intermediaries = models.JSONField(_("intermediaries"), default=list, blank=True)
    # The earlier leg whose receiver passed this money on (IATI chains).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # Reported by the organisation itself; a leg reported by someone else counts only when it
    # continues one of the organisation's own flows.
    own = models.BooleanField(default=True)
    source_activity = models.CharField(max_length=200, blank=True)
    receiver_activity = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[single_line])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "source_key"], name="flow_source_key")
        ]
        indexes = [
            models.Index(fields=["organisation", "date"]),
            models.Index(fields=["organisation", "receiver_key"]),
            models.Index(fields=["organisation", "source_activity"]),
            models.Index(fields=["organisation", "receiver_activity"]),
        ]
        verbose_name = _("funding flow")
        verbose_name_plural = _("funding flows")

    def __str__(self):
        return f"{self.date} {self.amount} {self.currency} → {self.receiver_display}"

    @property
    def receiver_display(self):
        if self.receiver_organisation_id:
            return self.receiver_organisation.name
        return self.receiver_name or self.receiver_ref


class HumanitarianFunding(models.Model):
    """The organisation's total humanitarian funding for a year, entered by an editor: the
    denominator of the Grand Bargain local share. The year is the calendar year, or the
    financial year that starts in it when the figures are shown by financial year."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="humanitarian_funding"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("total humanitarian funding"),
        max_digits=18,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    source_note = models.CharField(
        _("where the figure comes from"), max_length=500, blank=True, validators=[single_line]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="humanitarian_funding_year"
            )
        ]
        verbose_name = _("humanitarian funding")
        verbose_name_plural = _("humanitarian funding")

    def __str__(self):
        return f"{self.year}: {self.amount} {self.currency}"
