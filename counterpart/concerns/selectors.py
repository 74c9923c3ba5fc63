"""Reads about concerns, each scoped to the person asking."""

from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.organisations.models import Membership
from counterpart.partnerships.models import Party, Side

from .models import (
    RESTRICTED,
    Concern,
    ConcernAccess,
    ConcernEvent,
    ConcernSettings,
    EventKind,
    hash_secret,
)
from .permissions import standing_in


def settings_for(organisation) -> ConcernSettings:
    """The organisation's settings; until an admin saves them, the defaults (not stored)."""
    found = (
        ConcernSettings.objects.filter(organisation=organisation)
        .prefetch_related("focal_points__user")
        .first()
    )
    return found or ConcernSettings(organisation=organisation, intake_key="")


def open_intakes_for(organisations) -> list[ConcernSettings]:
    """The settings of those organisations whose public link is turned on, in their order,
    read in one query."""
    found = {
        chosen.organisation_id: chosen
        for chosen in ConcernSettings.objects.filter(
            organisation__in=[o.pk for o in organisations], intake_open=True
        )
    }
    opened = []
    for organisation in organisations:
        chosen = found.get(organisation.pk)
        if chosen is not None:
            chosen.organisation = organisation
            opened.append(chosen)
    return opened


def open_intake(key: str) -> ConcernSettings | None:
    """The settings behind a public link, if the link is the current one and is turned on."""
    if not key or len(key) > 64:
        return None
    return (
        ConcernSettings.objects.filter(intake_key=key, intake_open=True)
        .select_related("organisation")
        .first()
    )


def _parties_with_organisations(partnership) -> list[Party]:
    """The partnership's parties and their organisations: those read with the partnership when
    it was (as `partnership_for_user` does), else in one query."""
    if "parties" in getattr(partnership, "_prefetched_objects_cache", {}):
        return list(partnership.parties.all())
    return list(partnership.parties.select_related("organisation"))


def raising_in(user, partnership):
    """Where the person may raise a concern in this partnership: the international-side
    organisations, if the person is a member of a local-side one (else None)."""
    parties = _parties_with_organisations(partnership)
    local = [p.organisation_id for p in parties if p.side == Side.LOCAL]
    if not user.is_authenticated or not local:
        return None
    if not Membership.objects.filter(user=user, organisation_id__in=local).exists():
        return None
    return [p.organisation for p in parties if p.side == Side.INTERNATIONAL]


def may_raise_in(user, partnership_id) -> bool:
    """Whether the person belongs to a local-side organisation of the partnership."""
    if not user.is_authenticated:
        return False
    return Party.objects.filter(
        partnership_id=partnership_id,
        side=Side.LOCAL,
        organisation__memberships__user=user,
    ).exists()


def _with_relations(queryset):
    return queryset.select_related("organisation", "partnership", "raised_by")


def concerns_for(standing, organisation):
    """The organisation's concerns that the member's standing lets them see, open first."""
    concerns = _with_relations(Concern.objects.filter(organisation=organisation))
    if not standing.focal_point:
        concerns = concerns.exclude(category__in=RESTRICTED)
    return list(concerns.order_by(F("resolved_at").desc(nulls_first=True), "-received_at", "-pk"))


def concern_for_handler(user, concern_id):
    """A concern and the person's standing, for a focal point (or an admin, for the categories
    admins see); 404 for anyone else, so that its existence is not revealed."""
    concern = _with_relations(Concern.objects.filter(pk=concern_id)).first()
    standing = standing_in(user, concern.organisation) if concern is not None else None
    if standing is None or not standing.sees(concern):
        raise Http404(_("This concern does not exist, or you cannot see it."))
    return concern, standing


def concerns_raised_by(user):
    return list(_with_relations(Concern.objects.filter(raised_by=user)))


def concern_raised_by(user, concern_id) -> Concern:
    concern = _with_relations(Concern.objects.filter(pk=concern_id, raised_by=user)).first()
    if concern is None:
        raise Http404(_("This concern does not exist, or you did not raise it."))
    return concern


def concern_by_secret(secret: str) -> Concern | None:
    if not secret or len(secret) > 100:
        return None
    return concern_by_hash(hash_secret(secret))


def concern_by_hash(secret_hash: str | None) -> Concern | None:
    if not secret_hash:
        return None
    return (
        Concern.objects.filter(secret_hash=secret_hash, raised_by__isnull=True)
        .select_related("organisation")
        .first()
    )


def history(concern, *, for_raiser: bool) -> list[ConcernEvent]:
    """The concern's steps, oldest first; the raiser never sees internal notes."""
    events = ConcernEvent.objects.filter(concern=concern).select_related("author")
    if for_raiser:
        events = events.exclude(kind=EventKind.NOTE)
    return list(events)


def openings(concern) -> list[ConcernAccess]:
    """Who opened a safeguarding or fraud concern's page, and when, oldest first (one query).
    For the focal points only: the page that calls it is theirs alone."""
    return list(ConcernAccess.objects.filter(concern=concern).select_related("user"))
