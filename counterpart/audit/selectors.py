from .models import AuditEvent


def audit_events_for_organisation(organisation, limit=200):
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
