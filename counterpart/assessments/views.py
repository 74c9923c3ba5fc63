"""Pages for preparing and following a round (members), and for answering it (respondents,
who need no account: a personal link is remembered in a signed cookie of their browser, so the
pages they then move through carry nothing in their address that says who they are, and no
session row on the server joins them to the round)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.common.forms import (
    add_service_errors,
    already_sent,
    form_status,
    submit,
    submit_once,
)
from counterpart.frameworks import selectors as framework_selectors
from counterpart.frameworks import xlsform
from counterpart.organisations.models import Role
from counterpart.organisations.permissions import require_role
from counterpart.organisations.selectors import organisation_for_member
from counterpart.partnerships.models import Side
from counterpart.partnerships.permissions import require_partnership_role
from counterpart.partnerships.selectors import partnership_for_user

from . import convened_views, offline, partner_feedback, selectors, services
from .forms import (
    ConvenedRoundForm,
    ExtendForm,
    ImportForm,
    LanguageForm,
    PartnerFilterForm,
    PartnerInviteForm,
    PartnerStaffForm,
    PooledRoundForm,
    RespondentForm,
    RoundForm,
)
from .models import Privacy, Respondent, Round, RoundKind, RoundState
from .permissions import can_manage, can_read_results, require_manager, sides_of
from .questionnaire import questionnaire_form, to_draft

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "counterpart_respondent"
DONE_COOKIE = "counterpart_answered"


# --- Preparing a round ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request, partnership_id):
    partnership = partnership_for_user(request.user, partnership_id)
    membership = require_partnership_role(request.user, partnership, Role.EDITOR)
    organisations = [p.organisation for p in partnership.parties.all()]
    versions = selectors.versions_for_round(organisations)
    today = timezone.localdate()
    form = RoundForm(
        request.POST or None,
        versions=versions,
        initial={
            "title": _("%(partnership)s: %(stage)s")
            % {
                "partnership": partnership.title,
                "stage": partnership.get_stage_display(),
            },
            "stage": partnership.stage,
            "framework_version": versions.first(),
            "opens_on": today,
            "closes_on": today + timezone.timedelta(days=21),
            "privacy": Privacy.ORGANISATION,
        },
    )
    sent = submit_once(
        request,
        form,
        lambda data: services.round_create(
            actor=request.user,
            partnership=partnership,
            organisation=membership.organisation,
            **data,
        ),
    )
    if sent is not None:
        if sent.again:
            already_sent(request)
        else:
            messages.success(
                request,
                _(
                    "The round is prepared. Add who answers on each side; the other side is "
                    "asked to accept the settings."
                ),
            )
        return redirect("round_detail", round_id=sent.obj.pk)
    return render(
        request,
        "assessments/round_form.html",
        {"form": form, "partnership": partnership, "creating": True},
        status=form_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create_pooled(request, organisation_id):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    require_role(request.user, organisation, Role.EDITOR)
    versions = selectors.versions_for_round([organisation])
    today = timezone.localdate()
    form = PooledRoundForm(
        request.POST or None,
        versions=versions,
        initial={
            "title": _("Partner feedback on %(organisation)s, %(year)s")
            % {"organisation": organisation.name, "year": today.year},
            "framework_version": versions.first(),
            "opens_on": today,
            "closes_on": today + timezone.timedelta(days=28),
        },
    )
    sent = submit_once(
        request,
        form,
        lambda data: services.round_create_pooled(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if sent is not None:
        if sent.again:
            already_sent(request)
        else:
            messages.success(request, _("The round is prepared. Now choose the partners to ask."))
        return redirect("round_partners", round_id=sent.obj.pk)
    return render(
        request,
        "assessments/round_form.html",
        {"form": form, "organisation": organisation, "creating": True},
        status=form_status(request),
    )


def _managed_round(request, round_id):
    round_ = selectors.round_for_user(request.user, round_id)
    require_manager(request.user, round_)
    return round_


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, round_id):
    round_ = _managed_round(request, round_id)
    if round_.state != RoundState.DRAFT:
        messages.error(request, _("The settings can only change before the round opens."))
        return redirect("round_detail", round_id=round_.pk)
    if round_.convened_by_id:
        form_class = ConvenedRoundForm
        organisations = [round_.convened_by]
    elif round_.is_pooled:
        form_class = PooledRoundForm
        organisations = [round_.organisation]
    else:
        form_class = RoundForm
        organisations = [p.organisation for p in round_.partnership.parties.all()]
    form = form_class(
        request.POST or None, instance=round_, versions=selectors.versions_for_round(organisations)
    )
    # The form must not change the instance before the service has checked it.
    saved = submit(
        request,
        form,
        lambda data: services.round_update(
            actor=request.user, round_=selectors.round_for_user(request.user, round_id), **data
        ),
    )
    if saved is not None:
        messages.success(request, _("The settings are saved."))
        return redirect("round_detail", round_id=round_id)
    return render(
        request,
        "assessments/round_form.html",
        {
            "form": form,
            "round": round_,
            "partnership": round_.partnership,
            "organisation": round_.convened_by or round_.organisation,
            "convened": round_.convened_by_id is not None,
        },
        status=form_status(request),
    )


@login_required
def round_detail(request, round_id):
    round_ = selectors.round_for_user(request.user, round_id)
    if round_.state == RoundState.OPEN and round_.is_past_close():
        services.round_close(actor=None, round_=round_)
        round_ = selectors.round_for_user(request.user, round_id)
    return _render_detail(request, round_)


def _render_detail(request, round_, respondent_form=None, extend_form=None, status=200):
    viewer_sides = sides_of(request.user, round_)
    editing_sides = sides_of(request.user, round_, Role.EDITOR)
    manager = can_manage(request.user, round_)
    if respondent_form is None and manager:
        own_side = next(iter(editing_sides)) if len(editing_sides) == 1 else None
        respondent_form = RespondentForm(
            initial={"language": get_language(), "side": own_side}, sides=editing_sides
        )
    if round_.is_pooled:
        # Partner feedback asks partner organisations' members, never typed addresses.
        respondent_form = None
    to_accept = [
        side
        for side in editing_sides
        if round_.state == RoundState.DRAFT
        and not round_.is_pooled
        and not round_.accepted_by(side)
    ]
    return render(
        request,
        "assessments/round_detail.html",
        {
            "round": round_,
            "progress": selectors.round_progress(round_, viewer_sides),
            "response_count": round_.responses.count(),
            "organisations_answered": selectors.organisations_answered(round_)
            if round_.is_pooled
            else None,
            "can_manage": manager,
            "to_accept": to_accept,
            "respondent_form": respondent_form,
            "extend_form": extend_form or ExtendForm(initial={"closes_on": round_.closes_on}),
            "results_visible": selectors.results_visible(round_),
            "sides": [(s, Side(s).label, round_.accepted_by(s)) for s in Side.values],
            "editable": round_.state in (RoundState.DRAFT, RoundState.OPEN),
            "can_read_results": can_read_results(request.user, round_),
            "mail": selectors.mail_progress(round_, request.user)
            if manager and round_.state == RoundState.OPEN
            else None,
            **convened_views.detail_context(request, round_),
        },
        status=status,
    )


def _act(request, round_id, action, done_message):
    round_ = selectors.round_for_user(request.user, round_id)
    try:
        action(round_)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("round_detail", round_id=round_.pk)


@login_required
@require_POST
def round_accept(request, round_id):
    side = request.POST.get("side")
    return _act(
        request,
        round_id,
        lambda r: services.round_accept(actor=request.user, round_=r, side=side),
        _("You accepted the settings for your side."),
    )


@login_required
@require_POST
def round_open(request, round_id):
    return _act(
        request,
        round_id,
        lambda r: services.round_open(actor=request.user, round_=r),
        _("The round is open. Everyone asked to answer has been sent their link."),
    )


@login_required
@require_POST
def round_close(request, round_id):
    return _act(
        request,
        round_id,
        lambda r: services.round_close(actor=request.user, round_=r),
        _("The round is closed."),
    )


@login_required
@require_POST
def round_extend(request, round_id):
    round_ = selectors.round_for_user(request.user, round_id)
    form = ExtendForm(request.POST)
    saved = submit(
        request,
        form,
        lambda data: services.round_extend(
            actor=request.user, round_=round_, closes_on=data["closes_on"]
        ),
    )
    if saved is not None:
        messages.success(request, _("The closing date is moved."))
        return redirect("round_detail", round_id=round_.pk)
    return _render_detail(request, round_, extend_form=form, status=400)


@login_required
@require_POST
def respondent_add(request, round_id):
    round_ = selectors.round_for_user(request.user, round_id)
    require_manager(request.user, round_)
    # Each side names its own people: only the sides the person edits for are offered.
    form = RespondentForm(request.POST, sides=sides_of(request.user, round_, Role.EDITOR))
    if round_.is_pooled:
        del form.fields["side"]
    saved = submit(
        request,
        form,
        lambda data: services.respondent_add(
            actor=request.user,
            round_=round_,
            side=data.get("side", Side.LOCAL),
            email=data["email"],
            name=data["name"],
            language=data["language"],
        ),
    )
    if saved is not None:
        messages.success(request, _("%(person)s is asked to answer.") % {"person": saved})
        return redirect("round_detail", round_id=round_.pk)
    return _render_detail(request, round_, respondent_form=form, status=400)


def _respondent_of(request, round_id, respondent_id):
    round_ = selectors.round_for_user(request.user, round_id)
    respondent = get_object_or_404(Respondent, pk=respondent_id, round=round_)
    respondent.round = round_
    return round_, respondent


@login_required
@require_POST
def respondent_remove(request, round_id, respondent_id):
    _round, respondent = _respondent_of(request, round_id, respondent_id)
    return _act(
        request,
        round_id,
        lambda r: services.respondent_remove(actor=request.user, respondent=respondent),
        _("%(person)s is no longer asked to answer; their link has stopped working.")
        % {"person": respondent},
    )


@login_required
@require_POST
def respondent_send(request, round_id, respondent_id):
    _round, respondent = _respondent_of(request, round_id, respondent_id)

    def send_again(_round):
        try:
            services.respondent_send_again(actor=request.user, respondent=respondent)
        except services.LinkProblem as problem:
            raise ValidationError(str(problem)) from None

    return _act(
        request,
        round_id,
        send_again,
        _("The link is sent again to %(person)s.") % {"person": respondent},
    )


@login_required
@require_POST
def round_mail_retry(request, round_id):
    """Send again to everyone the person looks after whose mail was not accepted yet."""
    round_ = selectors.round_for_user(request.user, round_id)
    try:
        count = services.round_mail_retry(actor=request.user, round_=round_)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "The link is sent again to %(count)s person.",
                "The links are sent again to %(count)s people.",
                count,
            )
            % {"count": count},
        )
    return redirect("round_detail", round_id=round_.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_partners(request, round_id):
    """Choose the partners whose members answer a partner feedback round."""
    round_ = _managed_round(request, round_id)
    if not round_.is_pooled or round_.convened_by_id:
        # Convened feedback never lists the funder's partners: organisations join by invitation.
        return redirect("round_detail", round_id=round_.pk)
    filters = PartnerFilterForm(request.GET or None)
    filters.is_valid()
    chosen = getattr(filters, "cleaned_data", {})
    partners = selectors.partner_organisations(
        round_.organisation, country=chosen.get("country"), kind=chosen.get("kind")
    )
    form = PartnerInviteForm(
        request.POST or None,
        partners=partners,
        initial={
            "partners": [str(p.pk) for p in partners if p.member_count],
            "language": get_language(),
        },
    )
    added = submit(
        request,
        form,
        lambda data: partner_feedback.respondents_add_members(
            actor=request.user,
            round_=round_,
            organisations=data["partners"],
            language=data["language"],
        ),
    )
    if added is not None:
        messages.success(
            request,
            _("%(count)s people are asked to answer.") % {"count": added},
        )
        return redirect("round_detail", round_id=round_.pk)
    return render(
        request,
        "assessments/round_partners.html",
        {"round": round_, "form": form, "filters": filters, "partners": partners},
        status=form_status(request),
    )


@login_required
def round_xlsform(request, round_id):
    """The round's questionnaire as an XLSForm, for collecting answers offline."""
    round_ = _managed_round(request, round_id)
    version = round_.framework_version
    data = xlsform.write_workbook(framework_selectors.parsed_from_version(version))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="counterpart-round-{round_.pk}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def round_import(request, round_id):
    round_ = _managed_round(request, round_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > offline.MAX_BYTES:
                raise offline.ExportInvalid(
                    [offline.ImportProblem(1, "", _("The file is larger than 20 MB."))]
                )
            report = services.responses_import(
                actor=request.user, round_=round_, data=upload.read(), filename=upload.name
            )
        except offline.ExportInvalid as error:
            problems = error.problems
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(stored)s submissions are stored; %(skipped)s were already imported.")
                % {"stored": report["stored"], "skipped": len(report["skipped"])},
            )
            return redirect("round_detail", round_id=round_.pk)
    return render(
        request,
        "assessments/round_import.html",
        {"round": round_, "form": form, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


# --- Answering ------------------------------------------------------------------------------


def _respondent_problem(request, problem, status=410):
    return render(
        request, "assessments/respond_problem.html", {"problem": str(problem)}, status=status
    )


@never_cache
def respond_enter(request, token):
    """The personal link: remember the respondent in the session, then leave the link's
    address behind, so that later pages and their logs carry nothing that identifies them."""
    try:
        respondent = services.respondent_from_token(token)
    except services.LinkProblem as problem:
        return _respondent_problem(request, problem)
    response = redirect("respond_start")
    _remember(response, {"key": respondent.key})
    return response


# A respondent is remembered in a signed cookie of their own browser, never in the session
# table: a person signed in to Counterpart who answers an anonymous round leaves no row that
# joins their account to the round, and nothing on the server keeps when they submitted.
COOKIE_SALT = "counterpart.respondent"
COOKIE_AGE = 60 * 60 * 24 * 30


def _remembered(request, name=SESSION_KEY) -> dict:
    value = request.get_signed_cookie(name, default=None, salt=COOKIE_SALT, max_age=COOKIE_AGE)
    try:
        state = json.loads(value) if value else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _remember(response, state, name=SESSION_KEY):
    response.set_signed_cookie(
        name,
        json.dumps(state),
        salt=COOKIE_SALT,
        max_age=COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _session_respondent(request):
    key = _remembered(request).get("key")
    respondent = (
        Respondent.objects.select_related(
            "round__framework_version",
            "round__organisation",
            "round__convened_by",
            "round__partnership",
            "draft",
        )
        .defer("round__framework_version__source")
        .filter(key=key)
        .first()
        if key
        else None
    )
    if respondent is None:
        raise services.LinkProblem(
            _(
                "Open the personal link from your email to answer. This page cannot be reached "
                "without it."
            )
        )
    return services.respondent_can_answer(respondent)


def _draft(respondent):
    try:
        return respondent.draft
    except Respondent.draft.RelatedObjectDoesNotExist:
        return None


def _language(request, respondent):
    """The questionnaire's language for this respondent, also used for the interface when
    Counterpart speaks it."""
    version = respondent.round.framework_version
    draft = _draft(respondent)
    chosen = _remembered(request).get("language") or (draft.language if draft else None)
    language = framework_selectors.content_language(
        version, chosen, respondent.language or get_language()
    )
    interface = language if language in dict(settings.LANGUAGES) else None
    if interface:
        translation.activate(interface)
        request.LANGUAGE_CODE = interface
    return language


def respondent_page(view):
    """Run a respondent page with the session's respondent, or explain why it cannot."""

    def wrapped(request, *args, **kwargs):
        try:
            respondent = _session_respondent(request)
        except services.LinkProblem as problem:
            return _respondent_problem(request, problem, status=403)
        language = _language(request, respondent)
        return view(request, respondent, language, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _pages(respondent, language):
    return questionnaire_form(respondent.round, respondent.side, language).blocks


@respondent_page
@require_http_methods(["GET", "POST"])
def respond_start(request, respondent, language):
    round_ = respondent.round
    languages = framework_selectors.language_names(round_.framework_version)
    form = LanguageForm(request.POST or None, languages=languages, initial={"language": language})
    draft = _draft(respondent)
    if request.method == "POST" and form.is_valid():
        response = redirect("respond_page", page=_first_page_to_do(draft))
        _remember(response, {**_remembered(request), "language": form.cleaned_data["language"]})
        return response
    return render(
        request,
        "assessments/respond_start.html",
        {
            "respondent": respondent,
            "round": round_,
            "form": form,
            "pages": len(_pages(respondent, language)),
            "draft": draft,
            "partner_names": _partner_names(round_),
        },
        status=form_status(request),
    )


def _first_page_to_do(draft):
    """Where to continue: the first page not yet saved (past the last one once all are saved,
    which leads to the review)."""
    if draft is None or not draft.pages_done:
        return 1
    done = set(draft.pages_done)
    page = 1
    while page in done:
        page += 1
    return page


def _partner_names(round_):
    if round_.partnership_id is None:
        return [round_.organisation.name]
    return [p.organisation.name for p in round_.partnership.parties.select_related("organisation")]


@respondent_page
@require_http_methods(["GET", "POST"])
def respond_page(request, respondent, language, page):
    round_ = respondent.round
    draft = _draft(respondent)
    saved = draft.answers if draft else {}
    if request.method == "POST":
        form = questionnaire_form(round_, respondent.side, language, data=request.POST)
    else:
        form = questionnaire_form(round_, respondent.side, language, initial=saved)
    total = len(form.blocks)
    if total == 0:
        return _respondent_problem(
            request,
            _(
                "This questionnaire has no questions for you. Write to the person who "
                "asked you to answer."
            ),
            status=200,
        )
    if page > total:
        return redirect("respond_review")
    if page < 1:
        return redirect("respond_page", page=1)
    form.keep_only(page - 1)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_save(
                respondent=respondent,
                answers={name: to_draft(value) for name, value in form.cleaned_data.items()},
                page=page,
                language=language,
            )
        except services.LinkProblem as problem:
            return _respondent_problem(request, problem)
        if "stop" in request.POST:
            return render(request, "assessments/respond_saved.html", {"round": round_})
        if "back" in request.POST and page > 1:
            return redirect("respond_page", page=page - 1)
        if page < total:
            return redirect("respond_page", page=page + 1)
        return redirect("respond_review")
    return render(
        request,
        "assessments/respond_page.html",
        {
            "round": round_,
            "form": form,
            "page": page,
            "total": total,
            "language": language,
            "direction": framework_selectors.text_direction(language),
        },
        status=form_status(request),
    )


@respondent_page
@require_http_methods(["GET", "POST"])
def respond_review(request, respondent, language):
    round_ = respondent.round
    draft = _draft(respondent)
    saved = draft.answers if draft else {}
    if request.method == "POST":
        try:
            services.response_submit(respondent=respondent)
        except services.LinkProblem as problem:
            return _respondent_problem(request, problem)
        response = redirect("respond_done")
        response.delete_cookie(SESSION_KEY, samesite="Lax")
        _remember(
            response,
            {"title": round_.title, "language": getattr(request, "LANGUAGE_CODE", get_language())},
            name=DONE_COOKIE,
        )
        return response
    form = questionnaire_form(round_, respondent.side, language)
    pages = []
    unanswered = 0
    for number, (block, fields) in enumerate(form.sections(), start=1):
        rows = []
        for field in fields:
            value = saved.get(field.name)
            if value in (None, "", []):
                if not field.name.endswith(("_note", "_evidence")):
                    unanswered += 1
                    rows.append((field.label, None))
                continue
            choices = dict(getattr(field.field, "choices", []) or [])
            if isinstance(value, list):
                shown = ", ".join(str(choices.get(v, v)) for v in value)
            else:
                shown = choices.get(value, value)
            rows.append((field.label, shown))
        pages.append((number, block, rows))
    return render(
        request,
        "assessments/respond_review.html",
        {
            "round": round_,
            "pages": pages,
            "unanswered": unanswered,
            "language": language,
            "direction": framework_selectors.text_direction(language),
            "privacy": round_.privacy,
        },
    )


@never_cache
def respond_done(request):
    done = _remembered(request, DONE_COOKIE)
    title = done.get("title")
    if title is None:
        return redirect(reverse("home"))
    # In the language the questions were answered in, when the interface speaks it.
    language = done.get("language")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return render(request, "assessments/respond_done.html", {"title": title})


@login_required
@require_http_methods(["GET", "POST"])
def round_partner_staff(request, round_id):
    """For a partner organisation's admins: the colleagues their organisation has asked to
    answer a partner feedback round about another organisation, and a form to add one."""
    round_ = get_object_or_404(Round, pk=round_id, kind=RoundKind.POOLED)
    organisations = partner_feedback.staff_organisations(request.user, round_)
    if not organisations:
        raise Http404(_("This round does not exist or your organisation is not asked in it."))
    form = PartnerStaffForm(
        request.POST or None,
        organisations=organisations,
        initial={"language": get_language(), "organisation": organisations[0].pk},
    )
    added = submit(
        request,
        form,
        lambda data: partner_feedback.respondent_add_partner_staff(
            actor=request.user, round_=round_, **data
        ),
    )
    if added is not None:
        messages.success(request, _("%(email)s is asked to answer.") % {"email": added.email})
        return redirect("round_partner_staff", round_id=round_.pk)
    return render(
        request,
        "assessments/round_partner_staff.html",
        {
            "round": round_,
            "form": form,
            "asked": partner_feedback.partner_staff_asked(request.user, round_),
            "editable": round_.state in (RoundState.DRAFT, RoundState.OPEN),
        },
        status=form_status(request),
    )
