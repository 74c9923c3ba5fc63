"""Every write about frameworks: atomic, permission-checked, audited.

Versions are only ever added. An organisation adapts a framework by uploading an XLSForm,
which becomes the first version of its own framework or the next version of one it owns."""

import hashlib
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record
from counterpart.organisations.models import Role
from counterpart.organisations.permissions import require_role

from . import xlsform
from .models import Choice, Framework, FrameworkVersion, Question, Section

BUILTIN_DIRECTORY = Path(__file__).resolve().parent / "builtin"


def framework_check(data: bytes) -> xlsform.ParsedFramework:
    """Our rules and pyxform's, together, so that one upload reports every problem."""
    problems = []
    parsed = None
    try:
        parsed = xlsform.read_workbook(data)
    except xlsform.FrameworkInvalid as invalid:
        problems += invalid.problems
        if invalid.final:
            raise  # not read through: pyxform would only repeat it, slowly
    try:
        xlsform.xform_from_workbook(data)
    except xlsform.FrameworkInvalid as invalid:
        # pyxform stops at its first error, often one our own checks already explained
        reported = {(problem.sheet, problem.row) for problem in problems}
        problems += [p for p in invalid.problems if (p.sheet, p.row) not in reported]
    if problems:
        raise xlsform.FrameworkInvalid(problems)
    return parsed


def _version_create(*, framework, parsed, data, source_name, actor, note):
    number = (framework.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=number,
        title=parsed.title[:200],
        languages=[list(language) for language in parsed.languages],
        default_language=parsed.default_language,
        note=note[:500],
        source=data,
        source_name=source_name[:255],
        source_sha256=hashlib.sha256(data).hexdigest(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    sections = {}
    for group in parsed.groups:  # positions are the rows of the file, which keeps its order
        sections[group.name] = Section.objects.create(
            version=version,
            kind=group.part,
            name=group.name,
            code=group.code,
            position=group.number,
            title=group.texts.get("label", {}),
            explanation=group.texts.get("hint", {}),
            relevant=group.relevant,
        )
    Question.objects.bulk_create(
        Question(
            version=version,
            section=sections.get(row.section),
            name=row.name,
            position=row.number,
            type=row.type,
            part=row.part,
            element=row.element
            or (
                sections[row.section].code
                if row.section in sections and sections[row.section].kind == "element"
                else ""
            ),
            side=row.side,
            pair=row.pair,
            foundations=row.foundations,
            stage=row.stage,
            label=row.texts.get("label", {}),
            hint=row.texts.get("hint", {}),
            prompt=row.texts.get("prompt", {}),
            constraint_message=row.texts.get("constraint_message", {}),
            relevant=row.relevant,
            constraint=row.constraint,
            required=row.required,
        )
        for row in parsed.rows
    )
    Choice.objects.bulk_create(
        Choice(version=version, list_name=list_name, value=value, position=position, label=labels)
        for position, (list_name, value, labels) in enumerate(parsed.choices)
    )
    return version


def _unique_slug(organisation, wanted):
    base = slugify(wanted).replace("-", "_")[:50] or "framework"
    slug, counter = base, 1
    while Framework.objects.filter(organisation=organisation, slug=slug).exists():
        counter += 1
        slug = f"{base}_{counter}"
    return slug


def framework_version_import(
    *, actor, organisation, data, source_name="", framework=None, note=""
) -> FrameworkVersion:
    """A new version from an uploaded XLSForm: of `framework`, or of a new framework owned by
    `organisation`. Raises FrameworkInvalid, listing every problem, and then stores nothing."""
    require_role(actor, organisation, Role.EDITOR)
    if framework is not None and framework.organisation_id != organisation.pk:
        raise PermissionDenied(_("Only the organisation that owns a framework adds versions."))
    parsed = framework_check(data)  # slow on a large file: before any lock is taken
    with transaction.atomic():
        if framework is None:
            framework = Framework.objects.create(
                organisation=organisation,
                slug=_unique_slug(organisation, parsed.form_id or parsed.title),
                name=(parsed.title or parsed.form_id)[:200],
            )
        else:
            Framework.objects.select_for_update().get(pk=framework.pk)
        version = _version_create(
            framework=framework,
            parsed=parsed,
            data=data,
            source_name=source_name,
            actor=actor,
            note=note,
        )
        audit_record(
            actor=actor,
            action="framework_version_import",
            obj=version,
            organisation=organisation,
            after={
                "framework": framework.name,
                "number": version.number,
                "file": version.source_name,
                "note": version.note,
            },
        )
    return version


@transaction.atomic
def builtin_frameworks_load(directory=BUILTIN_DIRECTORY) -> list:
    """Load each built-in XLSForm file whose exact content is not yet a version.

    The files in the repository are the source of the built-in text: a changed file becomes
    the next version, and versions already used stay as they were."""
    created = []
    for path in sorted(Path(directory).glob("*.xlsx")):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if FrameworkVersion.objects.filter(
            framework__organisation__isnull=True, source_sha256=digest
        ).exists():
            continue
        parsed = framework_check(data)
        framework, _created = Framework.objects.get_or_create(
            organisation=None,
            slug=parsed.form_id,
            defaults={"name": parsed.title or parsed.form_id},
        )
        version = _version_create(
            framework=framework,
            parsed=parsed,
            data=data,
            source_name=path.name,
            actor=None,
            note=_("Built-in framework file %(file)s") % {"file": path.name},
        )
        audit_record(
            actor=None,
            action="framework_version_import",
            obj=version,
            after={"framework": framework.name, "number": version.number, "file": path.name},
        )
        created.append(version)
    return created


def builtin_frameworks_load_after_migrate(sender, using="default", **kwargs):
    """Every migrated database has the built-in framework, with no separate step to forget."""
    if using != "default":
        return
    builtin_frameworks_load()
