"""Reads about partnerships, always limited to partnerships the person's organisations are in."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Intermediary, Partnership, Party, StageChange


def _visible_to(user):
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(
        pk__in=Partnership.objects.filter(parties__organisation__memberships__user=user).values(
            "pk"
        )
    )


def partnerships_for_user(user, *, stage=None):
    qs = _visible_to(user).prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("organisation"))
    )
    if stage:
        qs = qs.filter(stage=stage)
    return list(qs.order_by("title"))


def partnership_for_user(user, partnership_id) -> Partnership:
    """The partnership with its parties, stage history and agreement, or 404 for outsiders."""
    partnership = (
        _visible_to(user)
        .filter(pk=partnership_id)
        .select_related("agreement", "created_by")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation", "organisation__affiliate_of"),
            ),
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related("changed_by").order_by(
                    "-entered_on", "-created_at"
                ),
            ),
            Prefetch(
                "agreement__intermediaries",
                queryset=Intermediary.objects.select_related("organisation"),
            ),
        )
        .first()
    )
    if partnership is None:
        raise Http404(_("This partnership does not exist or your organisation is not part of it."))
    return partnership


def party_in(partnership, party_id) -> Party:
    try:
        return Party.objects.select_related("organisation").get(
            partnership=partnership, pk=party_id
        )
    except Party.DoesNotExist:
        raise Http404(_("This organisation is not a party to this partnership.")) from None
