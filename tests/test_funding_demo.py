"""The demonstration's funding: Horizon's figures for 2025, worked out by hand from
counterpart/funding/demo.py, and a receiver waiting for a decision."""

import io
from decimal import Decimal

from django.core.management import call_command

from counterpart.funding.selectors import Filters, funding_overview, period
from counterpart.organisations.models import Organisation


def test_horizon_figures_for_2025(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    call_command("load_demo", stdout=io.StringIO())
    horizon = Organisation.objects.get(name="Horizon Relief International")
    metrics = funding_overview(horizon, period(horizon, 2025, False), Filters())["metrics"]
    # 120 000 (Kalobeyei) + 40 040 (5.2 M KES) + 95 000 (Horizon Kenya, an affiliate)
    # + 43 200 (40 000 EUR) + 24 300 (90 M UGX) + 28 000 (Bidi Bidi, IATI type 24)
    assert metrics.total == Decimal("350540.00")
    shares = {code: f.share for code, f in metrics.figures.items()}
    assert shares["local"] == Decimal("60.6")  # 212 340 / 350 540
    assert shares["direct_of_all"] == Decimal("53.6")  # 188 040 / 350 540
    assert shares["refugee_led"] == Decimal("41.2")  # 144 300 / 350 540
    assert len(metrics.waiting) == 1  # the regional network from the IATI file
