"""Who may see and run a round.

A partnership round belongs to both sides: members of any party see it, editors of any party
prepare it, and each side accepts the settings for itself. A pooled round belongs to the
organisation being assessed; its partners only answer it, through their personal links.

A pooled round convened by a local partner about one of its funders belongs to the partner that
convened it: its editors run it and its members see its page with counts. The funder's members
see the page and, once shown, the results, and change nothing."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counterpart.organisations.models import Membership, Role
from counterpart.organisations.permissions import has_role, require_role


def roles_in(user, round_) -> list[tuple[str, str]]:
    """(role, side) for each of the person's memberships that bear on the round; the side is
    empty in a pooled round (in a convened one, both the funder's and the convener's)."""
    if user is None or not user.is_authenticated:
        return []
    if round_.partnership_id is None:
        organisations = [round_.organisation_id]
        if round_.convened_by_id is not None:
            organisations.append(round_.convened_by_id)
        roles = Membership.objects.filter(user=user, organisation_id__in=organisations)
        return [(role, "") for role in roles.values_list("role", flat=True)]
    return list(
        Membership.objects.filter(
            user=user, organisation__parties__partnership_id=round_.partnership_id
        )
        .order_by()
        .values_list("role", "organisation__parties__side")
    )


def sides_of(user, round_, minimum=Role.VIEWER) -> set:
    """The sides of a partnership round on which the person holds at least `minimum`."""
    return {
        side
        for role, side in roles_in(user, round_)
        if side and Role.rank(role) >= Role.rank(minimum)
    }


def can_see(user, round_) -> bool:
    return bool(roles_in(user, round_))


def can_read_results(user, round_) -> bool:
    """Who may read a round's results once they are shown: whoever sees the round, except in
    feedback convened by partners, where only the organisation assessed does (the convener
    answered itself and chose whom to invite: it sees counts only)."""
    if round_.convened_by_id is not None:
        return has_role(user, round_.organisation)
    return can_see(user, round_)


def can_manage(user, round_) -> bool:
    if round_.convened_by_id is not None:
        return has_role(user, round_.convened_by, Role.EDITOR)
    return any(Role.rank(role) >= Role.rank(Role.EDITOR) for role, _side in roles_in(user, round_))


def require_manager(user, round_):
    if round_.convened_by_id is not None:
        # The partner that convened it runs it; the organisation assessed only reads. The
        # refusal does not name the convener.
        if not has_role(user, round_.convened_by, Role.EDITOR):
            raise PermissionDenied(
                _(
                    "This feedback is run by the partner organisation that convened it. Only "
                    "its editors and admins can change it."
                )
            )
    elif round_.partnership_id is None:
        require_role(user, round_.organisation, Role.EDITOR)
    elif not can_manage(user, round_):
        raise PermissionDenied(
            _("You need the editor or admin role in one of this partnership's organisations.")
        )


def require_side_editor(user, round_, side):
    if side not in sides_of(user, round_, Role.EDITOR):
        raise PermissionDenied(
            _("Only an editor or admin on that side of the partnership can do this.")
        )


# Said wherever someone tries to name or drop the other side's people (page, API).
OWN_SIDE_ONLY = gettext_lazy(
    "Each side names its own people: only an editor or admin on that side can add or remove them."
)


def require_own_side(user, round_, side):
    """Only a side names its own respondents: the person edits for an organisation on `side`."""
    if side not in sides_of(user, round_, Role.EDITOR):
        raise PermissionDenied(str(OWN_SIDE_ONLY))
