"""Frameworks: the questionnaires both sides answer, versioned and translated.

A framework version is written once and never changed: rounds pin the version they used, so
that old answers keep the exact words they were given to. Texts are kept per language code,
as `{"en": "...", "fr": "..."}`, exactly as the XLSForm's `label::Language (code)` columns."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BUILTIN_SLUG = "equitable_partnerships"


class Part(models.TextChoices):
    RELATIONSHIP = "relationship", _("Relationship question")
    CHECKLIST = "checklist", _("Stage checklist practice")
    FACT = "fact", _("Fact")
    OTHER = "", _("Other question or note")


class Framework(models.Model):
    """A questionnaire and its line of versions. Built-in frameworks belong to no organisation."""

    slug = models.SlugField(_("identifier"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="framework_slug_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(organisation__isnull=True),
                name="framework_builtin_slug_unique",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_builtin(self):
        return self.organisation_id is None

    @property
    def display_name(self):
        if self.is_builtin and self.slug == BUILTIN_SLUG:
            return str(_("Equitable Partnerships"))
        return self.name


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    languages = models.JSONField(default=list)  # [[code, name], ...] in the file's order
    default_language = models.CharField(max_length=20)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    source = models.BinaryField(editable=False)
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_version_number_unique"
            )
        ]

    def __str__(self):
        return _("%(framework)s, version %(number)s") % {
            "framework": self.framework,
            "number": self.number,
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrameworkVersionIsFixed(self)
        super().save(*args, **kwargs)

    @property
    def language_codes(self):
        return [code for code, _name in self.languages]


class FrameworkVersionIsFixed(Exception):
    """A version is never edited; a change makes a new version."""


class Section(models.Model):
    """A group of the questionnaire: one element, or the checklist of one life-cycle stage."""

    class Kind(models.TextChoices):
        ELEMENT = "element", _("Element")
        STAGE = "stage", _("Stage checklist")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100)  # the group's XLSForm name
    code = models.CharField(max_length=100)  # element code, or stage value
    position = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    explanation = models.JSONField(default=dict)
    relevant = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="section_name_unique")
        ]

    def __str__(self):
        return self.code


class Question(models.Model):
    """One row of the questionnaire: a question or a note."""

    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=120)
    part = models.CharField(max_length=20, choices=Part.choices, blank=True)
    element = models.CharField(max_length=100, blank=True)
    side = models.CharField(max_length=20, blank=True)
    pair = models.CharField(max_length=100, blank=True)
    foundations = models.JSONField(default=list)
    stage = models.CharField(max_length=20, blank=True)
    label = models.JSONField(default=dict)
    hint = models.JSONField(default=dict)
    prompt = models.JSONField(default=dict)
    constraint_message = models.JSONField(default=dict)
    relevant = models.TextField(blank=True)
    constraint = models.TextField(blank=True)
    required = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="question_name_unique")
        ]

    def __str__(self):
        return self.name

    @property
    def base_type(self):
        return self.type.split()[0]

    @property
    def list_name(self):
        bits = self.type.split()
        return bits[1] if len(bits) > 1 else ""


class Choice(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="choices")
    list_name = models.CharField(max_length=100)
    value = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "list_name", "value"], name="choice_value_unique_in_list"
            )
        ]

    def __str__(self):
        return f"{self.list_name}:{self.value}"
