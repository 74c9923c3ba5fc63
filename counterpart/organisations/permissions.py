"""Who may do what inside an organisation. Roles rise: viewer < editor < admin."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Membership, Role


def membership_of(user, organisation) -> Membership | None:
    if user is None or not user.is_authenticated or organisation is None:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def has_role(user, organisation, minimum=Role.VIEWER) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.has_role(minimum)


def require_role(user, organisation, minimum=Role.VIEWER) -> Membership:
    membership = membership_of(user, organisation)
    if membership is None or not membership.has_role(minimum):
        raise PermissionDenied(
            _("You need the %(role)s role in %(organisation)s to do this.")
            % {"role": Role(minimum).label, "organisation": organisation}
        )
    return membership
