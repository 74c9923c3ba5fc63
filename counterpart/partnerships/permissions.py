"""A person's standing in a partnership comes from their role in any party organisation.

Both sides see the same partnership page; editors and admins of any party may change it."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from counterpart.organisations.models import Membership, Role


def acting_membership(user, partnership) -> Membership | None:
    """The person's strongest membership among the partnership's parties."""
    if user is None or not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(
        user=user, organisation__parties__partnership=partnership
    ).select_related("organisation")
    best = None
    for membership in memberships:
        if best is None or Role.rank(membership.role) > Role.rank(best.role):
            best = membership
    return best


def require_partnership_role(user, partnership, minimum=Role.VIEWER) -> Membership:
    membership = acting_membership(user, partnership)
    if membership is None or not membership.has_role(minimum):
        raise PermissionDenied(
            _("You need the %(role)s role in one of this partnership's organisations to do this.")
            % {"role": Role(minimum).label}
        )
    return membership


def log_organisation(user, partnership, fallback):
    """The organisation whose audit log records what the person did in the partnership: the
    one they act for, else `fallback`."""
    membership = acting_membership(user, partnership)
    return membership.organisation if membership else fallback
