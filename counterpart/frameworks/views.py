from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from counterpart.common.forms import form_status
from counterpart.organisations.models import Role
from counterpart.organisations.permissions import has_role
from counterpart.organisations.selectors import organisations_where_role
from counterpart.partnerships.models import Side, Stage

from . import selectors, services, xlsform
from .forms import FrameworkUploadForm
from .questionnaire import QuestionnaireForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def framework_list(request):
    return render(
        request,
        "frameworks/list.html",
        {
            "frameworks": selectors.frameworks_for_user(request.user),
            "can_upload": request.user.is_authenticated
            and bool(organisations_where_role(request.user, Role.EDITOR)),
        },
    )


def framework_detail(request, framework_id):
    framework = selectors.framework_for_user(request.user, framework_id)
    can_add = not framework.is_builtin and has_role(
        request.user, framework.organisation, Role.EDITOR
    )
    return render(
        request,
        "frameworks/detail.html",
        {
            "framework": framework,
            "versions": selectors.versions_of(framework),
            "can_add_version": can_add,
        },
    )


def version_detail(request, version_id):
    version = selectors.version_for_user(request.user, version_id)
    language = selectors.content_language(version, request.GET.get("lang"), get_language())
    return render(
        request,
        "frameworks/version.html",
        {
            "version": version,
            "framework": version.framework,
            "outline": selectors.version_outline(version, language),
            "languages": selectors.language_names(version),
        },
    )


@require_http_methods(["GET", "POST"])
def version_try(request, version_id):
    """The questionnaire as one side answers it at one stage. Nothing is saved: this is for
    reading the questions as a respondent will meet them, and checking the answers work."""
    version = selectors.version_for_user(request.user, version_id)
    language = selectors.content_language(version, request.GET.get("lang"), get_language())
    side = request.GET.get("side")
    if side not in (Side.INTERNATIONAL, Side.LOCAL):
        side = Side.LOCAL
    stage = request.GET.get("stage")
    if stage not in Stage.values:
        stage = Stage.IMPLEMENTATION
    form = QuestionnaireForm(
        request.POST or None, version=version, side=side, stage=stage, language=language
    )
    checked = request.method == "POST" and form.is_valid()
    return render(
        request,
        "frameworks/try.html",
        {
            "version": version,
            "framework": version.framework,
            "form": form,
            "checked": checked,
            "side": side,
            "stage": stage,
            "sides": Side.choices,
            "stages": Stage.choices,
            "language": language,
            "direction": selectors.text_direction(language),
            "languages": selectors.language_names(version),
        },
        status=form_status(request) if request.method == "POST" and not checked else 200,
    )


def _download_name(version, extension):
    return f"{version.framework.slug}-v{version.number}.{extension}"


def version_xlsform(request, version_id):
    version = selectors.version_for_user(request.user, version_id)
    data = xlsform.write_workbook(selectors.parsed_from_version(version))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_download_name(version, "xlsx")}"'
    return response


def version_xform(request, version_id):
    version = selectors.version_for_user(request.user, version_id)
    data = xlsform.write_workbook(selectors.parsed_from_version(version))
    try:
        xform = xlsform.xform_from_workbook(data)
    except xlsform.FrameworkInvalid as invalid:
        messages.error(
            request,
            _("This version cannot be converted to an XForm: %(problem)s")
            % {"problem": invalid.problems[0].message},
        )
        return redirect("framework_version", version_id=version.pk)
    response = HttpResponse(xform, content_type="text/xml")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(version, "xml")}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def framework_upload(request):
    organisations = organisations_where_role(request.user, Role.EDITOR)
    if not organisations:
        messages.error(
            request,
            _("To upload a framework you need the editor or admin role in an organisation."),
        )
        return redirect("framework_list")
    form = FrameworkUploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        frameworks=selectors.frameworks_of(organisations),
    )
    wanted = request.GET.get("framework")
    if wanted and f"version:{wanted}" in dict(form.fields["target"].choices[-1][1]):
        form.fields["target"].initial = f"version:{wanted}"
    problems = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version = services.framework_version_import(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    framework=form.cleaned_data["framework"],
                    data=upload.read(),
                    source_name=upload.name,
                    note=form.cleaned_data["note"],
                )
            except xlsform.FrameworkInvalid as invalid:
                problems = invalid.problems
            else:
                messages.success(
                    request,
                    _("Version %(number)s of “%(framework)s” is saved.")
                    % {"number": version.number, "framework": version.framework.name},
                )
                return redirect("framework_version", version_id=version.pk)
    return render(
        request,
        "frameworks/upload.html",
        {"form": form, "problems": problems},
        status=status,
    )
