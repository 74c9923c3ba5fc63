"""Partnerships between organisations: the parties and their sides, the life-cycle stage and
its history, and the agreement terms (money, flexibility, overhead, reporting, money's route)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from counterpart.common.validators import single_line


class Stage(models.TextChoices):
    EXPLORING = "exploring", _("Exploring")
    CO_DESIGN = "co_design", _("Co-design")
    AGREEMENT = "agreement", _("Agreement")
    IMPLEMENTATION = "implementation", _("Implementation")
    REVIEW = "review", _("Review")
    TRANSITION = "transition", _("Transition or closure")


STAGE_HELP = {
    Stage.EXPLORING: _("Finding each other; due diligence goes both ways."),
    Stage.CO_DESIGN: _("Problem, approach, budget and roles shaped together."),
    Stage.AGREEMENT: _("Terms agreed: funding, flexibility, overhead, reporting, credit, exit."),
    Stage.IMPLEMENTATION: _("Regular check-ins, adaptation, shared risk."),
    Stage.REVIEW: _("Joint reflection on the relationship, not only on outputs."),
    Stage.TRANSITION: _("Planned exit, handover and lessons for both sides."),
}


class Side(models.TextChoices):
    INTERNATIONAL = "international", _("International side")
    LOCAL = "local", _("Local side")


def other_side(side):
    """The side across the partnership from `side`."""
    return Side.LOCAL if side == Side.INTERNATIONAL else Side.INTERNATIONAL


class PartyRole(models.TextChoices):
    FUNDING = "funding", _("Funding partner")
    LEAD = "lead", _("Lead partner")
    IMPLEMENTING = "implementing", _("Implementing partner")
    CO_IMPLEMENTING = "co_implementing", _("Co-implementing partner")
    INTERMEDIARY = "intermediary", _("Intermediary (passes funds on)")
    TECHNICAL = "technical", _("Technical or advisory partner")


class Partnership(models.Model):
    # What a person edits about the partnership itself (the stage has its own history).
    DETAIL_FIELDS = ("title", "description", "countries", "start_date", "end_date")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    description = models.TextField(_("what the partnership is for"), blank=True)
    countries = CountryField(_("countries"), multiple=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    stage = models.CharField(
        _("life-cycle stage"), max_length=20, choices=Stage.choices, default=Stage.EXPLORING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    organisations = models.ManyToManyField(
        "organisations.Organisation", through="Party", related_name="partnerships"
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class Party(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    role = models.CharField(_("role in the partnership"), max_length=20, choices=PartyRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["side", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="party_unique")
        ]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self):
        return f"{self.organisation} ({self.get_side_display()}, {self.get_role_display()})"


class StageChange(models.Model):
    """One dated step in the partnership's life cycle."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    entered_on = models.DateField(_("date entered"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-entered_on", "-created_at"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.partnership}: {self.get_stage_display()} ({self.entered_on})"


class FundingType(models.TextChoices):
    FLEXIBLE = "flexible", _("Flexible (unearmarked)")
    EARMARKED = "earmarked", _("Earmarked for set activities")


class ReportingFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Every three months")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Once a year")
    END_ONLY = "end_only", _("Only at the end")


class FundingRoute(models.TextChoices):
    DIRECT = "direct", _("Directly from the funder")
    THROUGH_INTERMEDIARIES = "intermediaries", _("Through one or more intermediaries")


# Languages that reports are written in, each named in its own language (so no translation is
# needed): the interface languages first, then others common in displacement settings.
REPORTING_LANGUAGE_CHOICES = [
    ("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"),
    ("pt", "Português"), ("sw", "Kiswahili"), ("am", "አማርኛ"), ("so", "Soomaali"),
    ("ti", "ትግርኛ"), ("fa", "فارسی"), ("ps", "پښتو"), ("ur", "اردو"), ("ckb", "کوردی"),
    ("tr", "Türkçe"), ("uk", "Українська"), ("ru", "Русский"), ("bn", "বাংলা"),
    ("my", "မြန်မာဘာသာ"), ("id", "Bahasa Indonesia"), ("ms", "Bahasa Melayu"),
    ("ha", "Hausa"), ("yo", "Yorùbá"), ("ig", "Igbo"), ("rw", "Kinyarwanda"),
    ("rn", "Kirundi"), ("ln", "Lingála"), ("ne", "नेपाली"), ("hi", "हिन्दी"),
    ("th", "ไทย"), ("vi", "Tiếng Việt"), ("km", "ខ្មែរ"), ("ht", "Kreyòl ayisyen"),
]  # fmt: skip

currency_code = RegexValidator(
    r"^[A-Z]{3}$", _("Write the currency as its three-letter ISO 4217 code, e.g. USD, EUR, KES.")
)


class Agreement(models.Model):
    """The terms of the partnership agreement that the funding metrics later read."""

    TERMS_FIELDS = (
        "amount",
        "currency",
        "funding_type",
        "multi_year",
        "overhead_rate",
        "reporting_frequency",
        "reporting_language",
        "funding_route",
    )

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="agreement"
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_code])
    funding_type = models.CharField(
        _("flexible or earmarked"), max_length=16, choices=FundingType.choices, blank=True
    )
    multi_year = models.BooleanField(_("multi-year (24 months or more)"), null=True, blank=True)
    overhead_rate = models.DecimalField(
        _("overhead (indirect cost) rate covered, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0 if the agreement covers no overhead. Leave empty if not known."),
    )
    reporting_frequency = models.CharField(
        _("reporting frequency"), max_length=16, choices=ReportingFrequency.choices, blank=True
    )
    reporting_language = models.CharField(
        _("reporting language"), max_length=8, choices=REPORTING_LANGUAGE_CHOICES, blank=True
    )
    funding_route = models.CharField(
        _("how the money travels"),
        max_length=16,
        choices=FundingRoute.choices,
        default=FundingRoute.DIRECT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agreement terms")
        verbose_name_plural = _("agreement terms")

    def __str__(self):
        return str(self.partnership)

    def clean(self):
        if self.amount is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the amount.")})

    @property
    def overhead_covered(self):
        if self.overhead_rate is None:
            return None
        return self.overhead_rate > 0


class Intermediary(models.Model):
    """An organisation the money passes through, in order from the funder to the partner."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="intermediaries"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="intermediary_position")
        ]
        verbose_name = _("intermediary")
        verbose_name_plural = _("intermediaries")

    def __str__(self):
        return f"{self.position}. {self.organisation}"


class ProposalStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PartyProposal(models.Model):
    """An organisation asked to take part in a partnership.

    It becomes a party (and sees the partnership) only once its own admins accept. An
    organisation added to a partnership that already has both sides also needs the other side's
    acceptance, so that no side brings a third party into the other's history alone. Until then,
    the proposer knows it only by its public name, and it cannot be chosen for rounds or flows:
    everything that opens a partnership to an organisation reads `Party`, never this."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="proposals")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="party_proposals"
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    role = models.CharField(_("role in the partnership"), max_length=20, choices=PartyRole.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposing_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    organisation_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_accepted_at = models.DateTimeField(null=True, blank=True)
    # Set when the partnership already had both sides: the side across from `side` must agree.
    needs_other_side = models.BooleanField(default=False)
    other_side_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    other_side_accepted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.WAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                condition=models.Q(status="waiting"),
                name="one_waiting_proposal_per_organisation",
            )
        ]
        verbose_name = _("partnership proposal")
        verbose_name_plural = _("partnership proposals")

    def __str__(self):
        return f"{self.organisation} → {self.partnership}"

    @property
    def is_waiting(self):
        return self.status == ProposalStatus.WAITING

    @property
    def waits_for_organisation(self):
        return self.is_waiting and self.organisation_accepted_at is None

    @property
    def waits_for_other_side(self):
        return self.is_waiting and self.needs_other_side and self.other_side_accepted_at is None
