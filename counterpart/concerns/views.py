"""Pages of the concerns channel: raising a concern (signed in, or anonymously through an
organisation's public link), following it (the raiser), handling it (the focal points), and
the organisation's settings.

An anonymous raiser's private link is /concerns/track/#<code>. The part after "#" never
reaches the server (nor its access logs): the page's script sends the code by POST, or the
person pastes it into the page's form. The code then puts the concern's hash in a fresh session,
and no address ever carries the code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from counterpart.common import ratelimit
from counterpart.common.forms import already_sent, form_status, submit, submit_once
from counterpart.organisations.models import Membership, Role
from counterpart.organisations.permissions import require_role
from counterpart.organisations.selectors import organisation_for_member
from counterpart.partnerships.selectors import partnership_for_user

from . import oversight, selectors, services
from .forms import CodeForm, MessageForm, RaiseForm, SettingsForm
from .permissions import focal_point_memberships, standing_in
from .signals import SESSION_KEY


def _problem(request, problem, status):
    return render(request, "concerns/problem.html", {"problem": str(problem)}, status=status)


def _follow_unnamed(request, concern):
    """Follow an anonymous concern in a fresh, empty session that ends when the browser closes.

    Nothing from before is carried over (an account, a respondent's link), so that no stored
    session holds both the concern and anything about who raised it; a later sign-in drops the
    concern again (signals.py). A signed-in person's session is ended without signing out:
    a sign-out is logged with their name and address, at the very moment the concern arrives."""
    request.session.flush()
    request.user = AnonymousUser()
    rotate_token(request)
    request.session.set_expiry(0)
    request.session[SESSION_KEY] = concern.secret_hash


# --- Raising --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise(request, partnership_id):
    partnership = partnership_for_user(request.user, partnership_id)
    organisations = selectors.raising_in(request.user, partnership)
    if organisations is None:
        raise PermissionDenied(
            _("Only members of the partnership's local organisations raise concerns here.")
        )
    if not organisations:
        return _problem(
            request,
            _("This partnership has no organisation on the international side to raise it with."),
            status=200,
        )
    form = RaiseForm(request.POST or None, organisations=organisations)

    def save(data):
        chosen = data.get("organisation", organisations[0].pk)
        organisation = next((o for o in organisations if o.pk == chosen), None)
        return services.concern_raise(
            actor=request.user,
            partnership=partnership,
            organisation=organisation or organisations[0],
            category=data["category"],
            description=data["description"],
            reply_by=data["reply_by"],
            contact=data["contact"],
            language=get_language(),
        )

    sent = submit_once(request, form, save)
    if sent is not None:
        concern = sent.obj
        if sent.again:
            already_sent(request)
        else:
            messages.success(
                request,
                _("Your concern is sent to %(organisation)s. Its reference is %(reference)s.")
                % {"organisation": concern.organisation.name, "reference": concern.reference},
            )
        return redirect("concern_mine_detail", concern_id=concern.pk)
    return render(
        request,
        "concerns/raise.html",
        {
            "form": form,
            "partnership": partnership,
            "organisations": organisations,
            "public_links": selectors.open_intakes_for(organisations),
        },
        status=form_status(request),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def concern_intake(request, key):
    """The public form: anyone with the organisation's link raises a concern, unnamed."""
    intake = selectors.open_intake(key)
    if intake is None:
        return _problem(
            request,
            _(
                "This link for raising concerns is not valid or has been turned off. Ask the "
                "organisation for its current link."
            ),
            status=404,
        )
    form = RaiseForm(request.POST or None, anonymous=True)

    def save(data):
        # Counted by a keyed hash of the address, in the cache only, for an hour at most.
        ratelimit.hit_address(request, "concern")
        return services.concern_raise_anonymous(
            intake_key=key,
            category=data["category"],
            description=data["description"],
            reply_by=data["reply_by"],
            contact=data["contact"],
            language=get_language(),
        )

    try:
        # The form's key is tied to no person. The code is kept for a day, encrypted with the
        # key, so that a second sending of this form (a double click) shows it again.
        sent = submit_once(request, form, save, anonymous=True, secret=True)
    except services.LinkProblem as problem:
        return _problem(request, problem, status=404)
    if sent is not None:
        concern, secret = sent.obj, sent.secret
        _follow_unnamed(request, concern)
        # Shown in this response only, never stored: no session, no address carries the code.
        return render(
            request,
            "concerns/sent.html",
            {
                "reference": concern.reference,
                "link": services.tracking_link(secret),
                "code": secret,
                "page": services.tracking_page(),
                "again": sent.again,
            },
        )
    return render(
        request,
        "concerns/intake.html",
        {"form": form, "organisation": intake.organisation},
        status=form_status(request),
    )


# --- Following one's concern ----------------------------------------------------------------


def _code_page(request, form, status=200):
    return render(request, "concerns/track_code.html", {"code_form": form}, status=status)


@never_cache
@require_POST
def concern_track_open(request):
    """The private code, sent by the form of /concerns/track/: follow its concern in a fresh
    session. A wrong code changes nothing, not even the session."""
    form = CodeForm(request.POST)
    concern = selectors.concern_by_secret(form.cleaned_data["code"]) if form.is_valid() else None
    if concern is None:
        if form.is_valid():
            form.add_error(
                "code",
                _(
                    "This code does not open any concern. Check that you copied all of it, "
                    "and nothing else."
                ),
            )
        return _code_page(request, form, status=400)
    _follow_unnamed(request, concern)
    response = HttpResponseRedirect(reverse("concern_track"))
    response.status_code = 303  # See Other: the next request is a GET
    return response


def _raiser_page(request, concern, *, action, form=None):
    return render(
        request,
        "concerns/raiser.html",
        {
            "concern": concern,
            "events": selectors.history(concern, for_raiser=True),
            "form": form or MessageForm(label=_("Add information")),
            "action": action,
            "anonymous": concern.is_anonymous,
            "code_form": CodeForm() if concern.is_anonymous else None,
        },
        status=400 if form is not None else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def concern_track(request):
    """The anonymous raiser's page. Without a concern in the session: the form for the code."""
    concern = selectors.concern_by_hash(request.session.get(SESSION_KEY))
    if concern is None and request.method == "GET":
        return _code_page(request, CodeForm())
    if concern is None:
        return _problem(
            request,
            _(
                "Open the private link you were given when you raised your concern. This page "
                "cannot be reached without it."
            ),
            status=403,
        )
    if request.method == "POST":
        form = MessageForm(request.POST, label=_("Add information"))
        added = submit(
            request,
            form,
            lambda data: services.concern_add_information(
                concern=concern,
                message=data["message"],
                secret_hash=request.session.get(SESSION_KEY),
            ),
        )
        if added is not None:
            messages.success(request, _("Your information is added to the concern."))
            return redirect("concern_track")
        return _raiser_page(request, concern, action=reverse("concern_track"), form=form)
    return _raiser_page(request, concern, action=reverse("concern_track"))


@login_required
def concern_mine(request):
    return render(
        request,
        "concerns/mine.html",
        {"concerns": selectors.concerns_raised_by(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_mine_detail(request, concern_id):
    concern = selectors.concern_raised_by(request.user, concern_id)
    if request.method == "POST":
        form = MessageForm(request.POST, label=_("Add information"))
        added = submit(
            request,
            form,
            lambda data: services.concern_add_information(
                concern=concern, message=data["message"], actor=request.user
            ),
        )
        if added is not None:
            messages.success(request, _("Your information is added to the concern."))
            return redirect("concern_mine_detail", concern_id=concern.pk)
        return _raiser_page(request, concern, action=request.path, form=form)
    return _raiser_page(request, concern, action=request.path)


# --- Handling concerns ----------------------------------------------------------------------


@login_required
def concern_list(request, organisation_id):
    organisation, membership = organisation_for_member(request.user, organisation_id)
    standing = standing_in(request.user, organisation, membership)
    if not standing.sees_concerns:
        raise PermissionDenied(
            _("Only the focal points and admins of %(organisation)s see its concerns.")
            % {"organisation": organisation.name}
        )
    return render(
        request,
        "concerns/list.html",
        {
            "organisation": organisation,
            "standing": standing,
            "concerns": selectors.concerns_for(standing, organisation),
            "focal_points": focal_point_memberships(organisation),
        },
    )


# Each step a focal point takes, and what the page then says.
ACTIONS = {
    "acknowledge": (
        services.concern_acknowledge,
        gettext_lazy("The concern is acknowledged; the person who raised it is told."),
    ),
    "respond": (
        services.concern_respond,
        gettext_lazy("Your response is sent to the person who raised the concern."),
    ),
    "resolve": (services.concern_resolve, gettext_lazy("The concern is marked resolved.")),
    "note": (services.concern_note, gettext_lazy("Your note is kept.")),
}


def _action_forms(concern, bound=None):
    """The forms a focal point can use on the concern now, keyed by action."""
    forms = {}
    if concern.is_open and concern.acknowledged_at is None:
        forms["acknowledge"] = MessageForm(
            prefix="acknowledge",
            label=_("Message to the person who raised it"),
            initial={
                "message": _(
                    "Thank you for raising this concern. We have received it and we are looking "
                    "into it. We will respond by %(date)s."
                )
                % {"date": date_format(concern.respond_by, "DATE_FORMAT")}
            },
        )
    if concern.is_open:
        forms["respond"] = MessageForm(
            prefix="respond",
            label=_("Your response"),
            help_text=_("What you found and what you will do. The person who raised it reads it."),
        )
        forms["resolve"] = MessageForm(
            prefix="resolve",
            label=_("Closing message (optional)"),
            required=False,
        )
    forms["note"] = MessageForm(
        prefix="note",
        label=_("Internal note"),
        help_text=_(
            "Only the people who handle this concern read it, never the person who raised it."
        ),
    )
    if bound is not None:
        forms[bound[0]] = bound[1]
    return forms


def _handler_page(request, concern, standing, bound=None, status=200):
    # Whoever is shown a safeguarding or fraud concern is recorded (at most once an hour),
    # and the focal points, who alone see such a concern, see who opened it.
    oversight.concern_access_record(actor=request.user, concern=concern)
    restricted = concern.is_restricted and standing.focal_point
    return render(
        request,
        "concerns/detail.html",
        {
            "concern": concern,
            "standing": standing,
            "events": selectors.history(concern, for_raiser=False),
            "forms": _action_forms(concern, bound),
            "overdue": concern.overdue(),
            "openings": selectors.openings(concern) if restricted else None,
        },
        status=status,
    )


@login_required
def concern_detail(request, concern_id):
    concern, standing = selectors.concern_for_handler(request.user, concern_id)
    return _handler_page(request, concern, standing)


def _act(request, concern_id, action):
    concern, standing = selectors.concern_for_handler(request.user, concern_id)
    service, done = ACTIONS[action]
    form = _action_forms(concern).get(action)
    if form is None:
        messages.error(request, _("This step is no longer possible for this concern."))
        return redirect("concern_detail", concern_id=concern.pk)
    form = MessageForm(
        request.POST,
        prefix=action,
        label=form.fields["message"].label,
        required=form.fields["message"].required,
    )
    saved = submit(
        request,
        form,
        lambda data: service(actor=request.user, concern=concern, message=data["message"]),
    )
    if saved is not None:
        messages.success(request, done)
        return redirect("concern_detail", concern_id=concern.pk)
    return _handler_page(request, concern, standing, bound=(action, form), status=400)


@login_required
@require_POST
def concern_acknowledge(request, concern_id):
    return _act(request, concern_id, "acknowledge")


@login_required
@require_POST
def concern_respond(request, concern_id):
    return _act(request, concern_id, "respond")


@login_required
@require_POST
def concern_resolve(request, concern_id):
    return _act(request, concern_id, "resolve")


@login_required
@require_POST
def concern_note(request, concern_id):
    return _act(request, concern_id, "note")


# --- Settings -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def concern_settings(request, organisation_id):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    require_role(request.user, organisation, Role.ADMIN)
    chosen = selectors.settings_for(organisation)
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    form = SettingsForm(
        request.POST or None,
        members=members,
        initial={
            "focal_points": list(chosen.focal_points.all()) if chosen.pk else [],
            "acknowledge_days": chosen.acknowledge_days,
            "respond_days": chosen.respond_days,
            "intake_open": chosen.intake_open,
        },
    )
    saved = submit(
        request,
        form,
        lambda data: services.concern_settings_update(
            actor=request.user, organisation=organisation, **data
        ),
    )
    if saved is not None:
        messages.success(request, _("The concerns settings are saved."))
        if saved.told:
            messages.info(
                request,
                _(
                    "The other focal points and admins of %(organisation)s are told, in "
                    "Counterpart and by email, who is now a focal point or no longer one, that "
                    "you made the change, and when."
                )
                % {"organisation": organisation.name},
            )
        return redirect("concern_settings", organisation_id=organisation.pk)
    return render(
        request,
        "concerns/settings.html",
        {
            "organisation": organisation,
            "form": form,
            "chosen": chosen,
            "public_link": services.intake_link(chosen) if chosen.pk else "",
        },
        status=form_status(request),
    )


@login_required
@require_POST
def concern_intake_renew(request, organisation_id):
    organisation, _membership = organisation_for_member(request.user, organisation_id)
    services.concern_intake_renew(actor=request.user, organisation=organisation)
    messages.success(
        request, _("The public link has a new address. The old address no longer works.")
    )
    return redirect("concern_settings", organisation_id=organisation.pk)
