"""Who handles an organisation's concerns, and who sees which.

The focal points an organisation's admins name handle its concerns; if none is named, its
admins do. Safeguarding and fraud concerns are seen by the focal points alone; the others by
the focal points and the admins. Nobody else in the organisation sees any concern."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from counterpart.organisations.models import Membership, Role
from counterpart.organisations.permissions import membership_of


def focal_point_memberships(organisation) -> list[Membership]:
    """The people who handle the organisation's concerns: its focal points, else its admins."""
    named = list(
        Membership.objects.filter(
            organisation=organisation, focal_point_for__organisation=organisation
        ).select_related("user")
    )
    if named:
        return named
    return list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN).select_related("user")
    )


@dataclass(frozen=True)
class Standing:
    """A member's place in the organisation's concerns channel."""

    membership: Membership
    focal_point: bool

    @property
    def admin(self) -> bool:
        return self.membership.has_role(Role.ADMIN)

    @property
    def sees_concerns(self) -> bool:
        return self.focal_point or self.admin

    def sees(self, concern) -> bool:
        return self.focal_point or (self.admin and not concern.is_restricted)


def standing_in(user, organisation, membership=None) -> Standing | None:
    """The person's standing, or None if they are not a member (two queries at most)."""
    membership = membership or membership_of(user, organisation)
    if membership is None:
        return None
    named = set(
        Membership.objects.filter(
            organisation=organisation, focal_point_for__organisation=organisation
        ).values_list("pk", flat=True)
    )
    focal = membership.pk in named if named else membership.role == Role.ADMIN
    return Standing(membership=membership, focal_point=focal)


def can_see(user, concern) -> bool:
    standing = standing_in(user, concern.organisation)
    return standing is not None and standing.sees(concern)


def require_handler(user, concern) -> Standing:
    """A person who may see and act on the concern; others are refused."""
    standing = standing_in(user, concern.organisation)
    if standing is None or not standing.sees(concern):
        raise PermissionDenied(_("Only the focal points for concerns may do this."))
    return standing
