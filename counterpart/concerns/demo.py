"""Fictional concerns for the demonstration: Horizon names a focal point and opens its public
link; a partner's concerns arrive signed in and anonymously; one was left unanswered and has
escalated to Horizon's admins. Everything goes through the services, as people would."""

from datetime import timedelta

from django.utils import timezone

from counterpart.organisations.models import Membership

from . import services


def load_concerns(people, organisations, partnerships):
    horizon = organisations["horizon"]
    amina = people["amina.intl-admin@horizon.example"]
    sofia = people["sofia.intl-viewer@horizon.example"]
    grace = people["grace.local-editor@kalobeyei.example"]
    joseph = people["joseph.local-admin@kalobeyei.example"]
    kalobeyei = partnerships["Youth-led protection in Kalobeyei"]
    now = timezone.now()

    services.concern_settings_update(
        actor=amina,
        organisation=horizon,
        focal_points=Membership.objects.filter(organisation=horizon, user__in=[amina, sofia]),
        acknowledge_days=7,
        respond_days=30,
        intake_open=True,
    )

    # Answered: a funding concern raised under a name, acknowledged and responded to.
    late = services.concern_raise(
        actor=grace,
        partnership=kalobeyei,
        organisation=horizon,
        category="funding",
        description=(
            "The second payment of the year came seven weeks late. We paid our youth mentors "
            "from our own savings and could not run the May sessions."
        ),
        reply_by="app",
        language="en",
        now=now - timedelta(days=12),
    )
    services.concern_acknowledge(
        actor=sofia,
        concern=late,
        message="Thank you for telling us. We are checking with our finance team why it was late.",
        now=now - timedelta(days=10),
    )
    services.concern_note(
        actor=sofia,
        concern=late,
        message="Finance says the payment waited for a signature during the audit week.",
        now=now - timedelta(days=9),
    )
    services.concern_respond(
        actor=sofia,
        concern=late,
        message=(
            "The payment waited for a second signature during our audit. From July, payments "
            "to you are signed in advance, and we will cover the mentors' costs for May."
        ),
        now=now - timedelta(days=6),
    )

    # Anonymous, through Horizon's public link, still waiting to be acknowledged.
    services.concern_raise_anonymous(
        intake_key=horizon.concern_settings.intake_key,
        category="respect",
        description=(
            "In the coordination meeting our ideas were called unrealistic in front of the "
            "district officials, and we were not given the floor again."
        ),
        reply_by="app",
        now=now - timedelta(days=2),
    )

    # Safeguarding, anonymous: only the focal points read it.
    hidden, _secret = services.concern_raise_anonymous(
        intake_key=horizon.concern_settings.intake_key,
        category="safeguarding",
        description=(
            "A driver hired for the distribution asks young women for their phone numbers "
            "before he lets them on the truck."
        ),
        reply_by="none",
        now=now - timedelta(days=4),
    )
    services.concern_acknowledge(
        actor=amina,
        concern=hidden,
        message="Thank you. The driver is no longer assigned to distributions while we look "
        "into this.",
        now=now - timedelta(days=3),
    )

    # Never answered: both deadlines passed, so it escalated to Horizon's admins.
    services.concern_raise(
        actor=joseph,
        partnership=kalobeyei,
        organisation=horizon,
        category="decisions",
        description=(
            "The activity plan for next year was changed after we had agreed it, and we heard "
            "of it from the district office."
        ),
        reply_by="email",
        contact="joseph.local-admin@kalobeyei.example",
        language="ar",
        now=now - timedelta(days=40),
    )
    services.concerns_process_due(now)
