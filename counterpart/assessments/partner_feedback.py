"""Partner feedback rounds: who may be asked, what the threshold counts, and how responses are
stored so that nothing links them to a person.

- The people asked are members of the assessed organisation's partner organisations (with an
  accepted partnership), added organisation by organisation; a partner organisation's admin may
  add colleagues of its own. The organisation assessed never types an address, so it cannot
  ask addresses it controls and subtract their answers.
- The threshold counts partner organisations with at least one person who answered.
- Responses keep no link to the person, only the week; each new response rewrites the round's
  responses in a random order, so neither their keys nor the order in which rows are stored
  follows the order of submission.
- An organisation has one partner feedback round being prepared or answered at a time, so two
  results whose difference isolates one organisation cannot be collected side by side."""

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record
from counterpart.notifications.services import notify
from counterpart.organisations.models import Membership, Role
from counterpart.organisations.permissions import has_role

from .models import Answer, Respondent, Response, Round, RoundKind, RoundState
from .permissions import require_manager
from .selectors import partner_organisations

_shuffle = random.SystemRandom().shuffle


def _partner_ids(round_) -> set:
    return {o.pk for o in partner_organisations(round_.organisation)}


def require_one_round_at_a_time(organisation, *, exclude=None):
    """Refuse a second partner feedback round while one is prepared or open, the
    organisation's own or one its partners convened about it: two rounds run side by side
    could differ by a single partner organisation."""
    busy = Round.objects.filter(
        kind=RoundKind.POOLED,
        organisation=organisation,
        state__in=[RoundState.DRAFT, RoundState.OPEN],
    )
    if exclude is not None:
        busy = busy.exclude(pk=exclude.pk)
    if busy.filter(convened_by__isnull=False).exists():
        raise ValidationError(
            _(
                "Your partners are running feedback about your organisation. Start another "
                "partner feedback round once theirs has closed."
            )
        )
    if busy.exists():
        raise ValidationError(
            _(
                "Your organisation already has a partner feedback round being prepared or "
                "answered. Close it before you start another."
            )
        )


@transaction.atomic
def respondents_add_members(*, actor, round_, organisations, language="en") -> int:
    """Ask every member of these partner organisations to answer a partner feedback round, and
    tell each organisation's admins, who may add colleagues. People already asked are left as
    they are. Returns how many were added."""
    require_manager(actor, round_)
    if not round_.is_pooled:
        raise ValidationError(_("Only a partner feedback round asks partners' members."))
    if round_.convened_by_id:
        # The convener never chooses among the funder's partners: they join by invitation.
        raise ValidationError(
            _("In feedback convened by partners, organisations take part by invitation.")
        )
    partners = _partner_ids(round_)
    if any(organisation.pk not in partners for organisation in organisations):
        raise ValidationError(
            _("Only organisations that have accepted a partnership with yours can be asked.")
        )
    return members_ask(actor=actor, round_=round_, organisations=organisations, language=language)


def members_ask(*, actor, round_, organisations, language="en", tell_admins=True) -> int:
    """Ask every member of these organisations, for their organisation, to answer a partner
    feedback round. The caller has checked that the actor may, and that the organisations are
    partners of the organisation assessed (`respondents_add_members`; for convened feedback,
    `convened`). Returns how many were added."""
    from .services import _lock, _respondent_store

    round_ = _lock(round_)
    asked = set(round_.respondents.filter(removed_at__isnull=True).values_list("email", flat=True))
    added = 0
    members = Membership.objects.filter(organisation__in=organisations).select_related(
        "user", "organisation"
    )
    for membership in members:
        email = membership.user.email.lower()
        if email in asked:
            continue
        _respondent_store(
            actor=actor,
            round_=round_,
            side="local",
            email=email,
            name=membership.user.full_name,
            language=language,
            organisation=membership.organisation,
        )
        asked.add(email)
        added += 1
    if tell_admins:
        admins = Membership.objects.filter(organisation__in=organisations, role=Role.ADMIN)
        notify(
            [m.user for m in admins.select_related("user")],
            "partner_feedback_asked",
            {"organisation": round_.organisation.name, "round": round_.title},
            reverse("round_partner_staff", args=[round_.pk]),
        )
    return added


def staff_organisations(user, round_) -> list:
    """The partner organisations in this round for which the person may add colleagues: those
    they are an admin of, and whose members the round already asks."""
    if not user.is_authenticated or not round_.is_pooled:
        return []
    in_round = round_.respondents.filter(removed_at__isnull=True).values("organisation_id")
    admin_of = Membership.objects.filter(user=user, role=Role.ADMIN, organisation_id__in=in_round)
    partners = _partner_ids(round_)
    return [
        m.organisation
        for m in admin_of.select_related("organisation")
        if m.organisation_id in partners
    ]


@transaction.atomic
def respondent_add_partner_staff(*, actor, round_, organisation, email, name="", language="en"):
    """A partner organisation's admin asks one more colleague of its own to answer."""
    from .services import invite_if_open

    if organisation.pk not in {o.pk for o in staff_organisations(actor, round_)}:
        raise PermissionDenied(
            _("Only an admin of a partner organisation asked in this round may add colleagues.")
        )
    if not has_role(actor, organisation, Role.ADMIN):
        raise PermissionDenied(_("Only an admin of the organisation may add its colleagues."))
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.state not in (RoundState.DRAFT, RoundState.OPEN):
        raise ValidationError(_("People can only be added before the round closes."))
    email = email.strip().lower()
    if Membership.objects.filter(
        organisation=round_.organisation, user__email__iexact=email
    ).exists():
        raise ValidationError(
            {"email": _("Partner feedback comes from partners, not from your own members.")}
        )
    respondent = Respondent(
        round=round_,
        side="local",
        email=email,
        name=name.strip(),
        language=language,
        added_by=actor,
        organisation=organisation,
    )
    respondent.full_clean()
    respondent.save()
    # The partner's own log names the colleague; the assessed organisation's says only that
    # the partner added someone (and in feedback convened by partners, nothing: it is not told
    # which partners take part).
    audit_record(
        actor=actor,
        action="respondent_add",
        obj=round_,
        organisation=organisation,
        after={"side": "local", "email": email},
    )
    if not round_.convened_by_id:
        audit_record(
            actor=actor,
            action="respondent_add",
            obj=round_,
            organisation=round_.organisation,
            after={"side": "local", "partner": organisation.pk},
        )
    invite_if_open(round_, respondent)
    return respondent


def partner_staff_asked(user, round_) -> list:
    """The addresses asked for the person's own partner organisations (never whether they
    answered: in an anonymous round, that would say who did)."""
    organisations = staff_organisations(user, round_)
    return list(
        round_.respondents.filter(removed_at__isnull=True, organisation__in=organisations)
        .order_by("email")
        .values_list("email", flat=True)
    )


def responses_shuffle(round_) -> None:
    """Write the round's responses and answers again, in a random order and with new keys.

    Called inside the submit's transaction, after the new response is stored: the rows then
    sit in the table (and in the database file) in an order that says nothing about who
    answered first, and the newest response cannot be told from the others."""
    responses = list(Response.objects.filter(round=round_))
    answers = list(Answer.objects.filter(response__round=round_))
    by_response = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, []).append(answer)
    Answer.objects.filter(response__round=round_).delete()
    Response.objects.filter(round=round_).delete()
    _shuffle(responses)
    fresh = []
    for response in responses:
        old = response.pk
        response.pk = Response._meta.get_field("id").default()
        for answer in by_response.get(old, []):
            answer.pk = Answer._meta.get_field("id").default()
            answer.response_id = response.pk
            fresh.append(answer)
    Response.objects.bulk_create(responses)
    _shuffle(fresh)
    Answer.objects.bulk_create(fresh)
