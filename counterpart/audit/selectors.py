from .models import AuditEvent


def audit_events_for_organisation(organisation, limit=200):
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def audit_events_for_partnership(partnership, limit=50):
    """The partnership's history, the same for every party, newest first."""
    return list(
        AuditEvent.objects.filter(context=f"partnership:{partnership.pk}")
        .select_related("actor", "organisation")
        .order_by("-created_at", "-id")[:limit]
    )
