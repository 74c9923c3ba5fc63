"""People who sign in. A person is identified by their email address."""

import hashlib
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from counterpart.common.validators import single_line

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, validators=[single_line])
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # The interface language the person last used; emails to them are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class PendingSignup(models.Model):
    """A registration waiting for its email address to be confirmed.

    Nothing else exists until the link sent to the address is opened: then the person and
    their organisation are created and this row is deleted. Only a hash of the link's secret
    is kept, and the password only as its hash."""

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200)
    password_hash = models.CharField(max_length=256)
    organisation_name = models.CharField(_("organisation name"), max_length=200)
    organisation_country = models.CharField(_("country"), max_length=2)
    organisation_kind = models.CharField(_("kind of organisation"), max_length=32)
    organisation_refugee_led = models.BooleanField(_("refugee-led"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=django_timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registration waiting for confirmation")
        verbose_name_plural = _("registrations waiting for confirmation")

    def __str__(self):
        return f"{self.email} ({self.organisation_name})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def organisation_fields(self) -> dict:
        return {
            "name": self.organisation_name,
            "country": self.organisation_country,
            "kind": self.organisation_kind,
            "refugee_led": self.organisation_refugee_led,
        }
