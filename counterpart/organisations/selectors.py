"""Reads about organisations, members and invitations, scoped to the person asking."""

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Invitation, Membership, Organisation, Role
from .names import name_key


def memberships_for_user(user):
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisations_where_role(user, minimum=Role.VIEWER):
    return [m.organisation for m in memberships_for_user(user) if m.has_role(minimum)]


def name_taken(name, country, *, exclude=None) -> bool:
    """Whether another organisation in the country has the same name (names.py)."""
    others = Organisation.objects.filter(country=country, name_key=name_key(name)[:1000])
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()


def organisation_for_member(user, organisation_id):
    """The organisation and the person's membership of it, or 404 for anyone else."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=organisation_id)
        .select_related("organisation", "organisation__affiliate_of")
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404(_("This organisation does not exist or you are not a member of it."))
    return membership.organisation, membership


def members_of(organisation):
    return list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def membership_in(organisation, membership_id):
    try:
        return Membership.objects.select_related("user", "organisation").get(
            organisation=organisation, pk=membership_id
        )
    except Membership.DoesNotExist:
        raise Http404(_("This member does not exist in this organisation.")) from None


def pending_invitations(organisation):
    return list(
        Invitation.objects.pending()
        .filter(organisation=organisation)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_in(organisation, invitation_id):
    try:
        return Invitation.objects.get(organisation=organisation, pk=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404(_("This invitation does not exist in this organisation.")) from None


def organisations_matching(query: str, *, exclude_ids=()) -> list:
    """Organisations someone has joined whose exact name (case and accents aside), IATI
    identifier, or a member's email address is `query`. There is no list to browse: an
    organisation is found only by what its partners already know of it."""
    query = " ".join((query or "").split())
    if not query:
        return []
    if "@" in query:
        found = Organisation.objects.filter(memberships__user__email__iexact=query)
    else:
        found = Organisation.objects.filter(
            Q(name_key=name_key(query)) | Q(iati_identifier__iexact=query)
        )
    return list(
        found.filter(pk__in=Organisation.objects.filter(memberships__isnull=False).values("pk"))
        .exclude(pk__in=exclude_ids)
        .distinct()
        .order_by("name")[:5]
    )


def organisations_with_member_counts(user):
    member_count = (
        Membership.objects.filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Organisation.objects.filter(memberships__user=user)
        .annotate(member_count=Subquery(member_count))
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(user=user), to_attr="mine")
        )
        .order_by("name")
    )


def account_exists(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()
