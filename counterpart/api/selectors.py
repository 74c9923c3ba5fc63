"""Reads for the API: a person's tokens, and everything the endpoints list, each limited to
what the person may see on the pages."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.assessments.models import Round, RoundKind
from counterpart.assessments.selectors import versions_for_round
from counterpart.commitments.models import Commitment
from counterpart.concerns.models import RESTRICTED, Concern
from counterpart.concerns.permissions import standing_in
from counterpart.funding.models import Flow
from counterpart.organisations.models import Membership, Organisation
from counterpart.partnerships.models import Partnership, Party

from .models import ApiToken, hash_key


def tokens_qs(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def tokens_of(user):
    return list(tokens_qs(user))


def token_of(user, token_id) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404(_("This token does not exist."))
    return token


def token_by_key(key: str) -> ApiToken | None:
    if not key or len(key) > 100:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


def organisations_of(user):
    return Organisation.objects.filter(memberships__user=user).order_by("name", "pk")


def partnerships_of(user):
    return (
        Partnership.objects.filter(
            pk__in=Partnership.objects.filter(parties__organisation__memberships__user=user).values(
                "pk"
            )
        )
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("organisation"))
        )
        .order_by("title", "pk")
    )


def rounds_of(user):
    """Partnership rounds of the person's partnerships, partner feedback rounds of their
    organisations and those their organisations convened: the rounds whose pages they may
    open."""
    visible = Round.objects.filter(
        Q(partnership__parties__organisation__memberships__user=user)
        | Q(kind=RoundKind.POOLED, organisation__memberships__user=user)
        | Q(kind=RoundKind.POOLED, convened_by__memberships__user=user)
    ).values("pk")
    return (
        Round.objects.filter(pk__in=visible)
        .select_related("organisation", "partnership")
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "-pk")
    )


def commitments_of(user):
    return (
        Commitment.objects.filter(
            partnership_id__in=Partnership.objects.filter(
                parties__organisation__memberships__user=user
            ).values("pk")
        )
        .select_related("owner_organisation")
        .order_by("due_on", "pk")
    )


def concerns_of(user):
    """The concerns the person handles: every concern of the organisations where they are a
    focal point, and the unrestricted ones where they are an admin and not a focal point."""
    seen = Q(pk__in=[])
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        standing = standing_in(user, membership.organisation, membership)
        if standing.focal_point:
            seen |= Q(organisation_id=membership.organisation_id)
        elif standing.admin:
            seen |= Q(organisation_id=membership.organisation_id) & ~Q(category__in=RESTRICTED)
    return (
        Concern.objects.filter(seen)
        .select_related("organisation", "partnership", "raised_by")
        .order_by("-received_at", "-pk")
    )


def flows_of(user):
    return (
        Flow.objects.filter(
            organisation_id__in=Membership.objects.filter(user=user).values("organisation_id")
        )
        .select_related("receiver_organisation")
        .order_by("-date", "-pk")
    )


def versions_for_new_round(user, organisation, partnership_id=None):
    """The framework versions a new round may use, as on the round form: the built-in ones and
    those of the organisations taking part."""
    organisations = [organisation]
    if partnership_id:
        organisations = list(
            Organisation.objects.filter(
                parties__partnership_id__in=partnerships_of(user)
                .filter(pk=partnership_id)
                .values("pk")
            ).distinct()
        ) or [organisation]
    return versions_for_round(organisations)
