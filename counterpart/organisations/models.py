"""Organisations, the people who belong to them and their roles, and invitations to join."""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from counterpart.common.validators import known_time_zone, single_line

from .names import name_key


class OrganisationKind(models.TextChoices):
    INTERNATIONAL_NGO = "ingo", _("International NGO")
    MULTILATERAL = "multilateral", _("UN agency or other multilateral")
    GOVERNMENT_DONOR = "government_donor", _("Government donor")
    FOUNDATION = "foundation", _("Foundation")
    NATIONAL_NGO = "national_ngo", _("National NGO")
    COMMUNITY_BASED = "cbo", _("Community-based organisation")
    REFUGEE_LED = "rlo", _("Refugee-led organisation")
    HOST_COMMUNITY = "host_community", _("Host-community organisation")
    GOVERNMENT_BODY = "government_body", _("Government body")
    ACADEMIC = "academic", _("Academic institution")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


# Kinds that are never local, even when the organisation declares itself refugee-led.
INTERNATIONAL_KINDS = frozenset(
    {
        OrganisationKind.INTERNATIONAL_NGO,
        OrganisationKind.MULTILATERAL,
        OrganisationKind.GOVERNMENT_DONOR,
        OrganisationKind.FOUNDATION,
    }
)

# Kinds that count as local and national actors, unless the organisation is an affiliate
# or country office of another (an INGO's national affiliate is never local).
LOCAL_KINDS = frozenset(
    {
        OrganisationKind.NATIONAL_NGO,
        OrganisationKind.COMMUNITY_BASED,
        OrganisationKind.REFUGEE_LED,
        OrganisationKind.HOST_COMMUNITY,
    }
)


class Organisation(models.Model):
    # The fields a person edits on the profile page; services and forms both use this list.
    PROFILE_FIELDS = (
        "name",
        "country",
        "kind",
        "refugee_led",
        "affiliate_of",
        "iati_identifier",
        "website",
        "description",
        "time_zone",
        "gap_threshold",
        "share_in_benchmark",
        "publish_accountability",
    )
    # How results are read and shared; set on the profile page once the organisation exists.
    RESULT_SETTINGS = ("gap_threshold", "share_in_benchmark", "publish_accountability")

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    # The name as it is compared with others (names.py), kept in step with it by save(). Not
    # unique: databases from before the check may hold two organisations with the same name.
    name_key = models.CharField(max_length=1000, blank=True, editable=False, db_index=True)
    country = CountryField(_("country"), help_text=_("Where the organisation is registered."))
    kind = models.CharField(
        _("kind of organisation"), max_length=32, choices=OrganisationKind.choices
    )
    refugee_led = models.BooleanField(
        _("refugee-led"),
        default=False,
        help_text=_("Declared by the organisation: led by people who are or were refugees."),
    )
    affiliate_of = models.ForeignKey(
        "self",
        verbose_name=_("affiliate or country office of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="affiliates",
        help_text=_(
            "If this is a national affiliate or country office of another organisation, name it. "
            "Such an organisation is never counted as local."
        ),
    )
    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        help_text=_("For example GB-CHC-123456. Leave empty if the organisation has none."),
    )
    # Set when a partner registered this organisation on its behalf (it then starts with no
    # members, and that partner may invite its first admin until someone joins).
    registered_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_partners",
        editable=False,
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("about the organisation"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[known_time_zone],
        help_text=_("Deadlines for commitments and concerns end at midnight in this time zone."),
    )
    gap_threshold = models.PositiveSmallIntegerField(
        _("gap to flag, in points"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "In results, a difference of at least this many points (out of 100) between the two "
            "sides' views is flagged for discussion."
        ),
    )
    share_in_benchmark = models.BooleanField(
        _("share our partner feedback results in the benchmark"),
        default=False,
        help_text=_(
            "Our partner feedback scores are added, without our name, to a comparison between "
            "organisations, and we see where we stand. The comparison is shown only when at "
            "least five organisations share."
        ),
    )
    publish_accountability = models.BooleanField(
        _("publish our accountability page"),
        default=False,
        help_text=_(
            "A public page, open to anyone with its address, shows the commitments we made and "
            "kept each year, our partner feedback scores and the shares of our funding that "
            "reached local organisations. It never names a partner."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~models.Q(iati_identifier=""),
                name="organisation_unique_iati_identifier",
                violation_error_message=_(
                    "Another organisation on Counterpart already uses this IATI identifier."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)[:1000]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_local(self) -> bool:
        """Whether funds to this organisation count as funds to a local or national actor."""
        if self.affiliate_of_id is not None or self.kind in INTERNATIONAL_KINDS:
            return False
        return self.refugee_led or self.kind in LOCAL_KINDS

    @property
    def is_refugee_led(self) -> bool:
        return self.refugee_led or self.kind == OrganisationKind.REFUGEE_LED


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Admin")

    @classmethod
    def rank(cls, role) -> int:
        return {cls.VIEWER: 1, cls.EDITOR: 2, cls.ADMIN: 3}.get(role, 0)


ROLE_HELP = {
    Role.VIEWER: _("Sees the organisation's partnerships and members."),
    Role.EDITOR: _("Also creates and edits partnerships."),
    Role.ADMIN: _("Also manages the organisation's profile and members."),
}


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def has_role(self, minimum) -> bool:
        return Role.rank(self.role) >= Role.rank(minimum)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(
        _("language of the invitation email"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Only a hash of the secret part of the link is stored.
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer invitation to the same address replaced this one.
    superseded = models.BooleanField(default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
