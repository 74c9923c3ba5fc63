"""Negative transactions (reversals, repayments, reduced commitments) are stored as flows with
negative amounts and net the flows of the same activity and receiver; importing again stores
nothing twice."""

from decimal import Decimal

from counterpart.funding.models import Flow
from counterpart.funding.selectors import Filters, funding_overview, period
from tests.conftest import import_funding_file

ACTIVITY = """<iati-activities version="2.03"><iati-activity default-currency="USD">
<iati-identifier>XE-REV-1</iati-identifier>
<reporting-org ref="GB-CHC-1111111" type="21"><narrative>Global Aid</narrative></reporting-org>
<recipient-country code="KE"/>
<transaction><transaction-type code="3"/><transaction-date iso-date="2025-03-01"/>
<value>1000000</value>
<receiver-org type="22"><narrative>Turkana Peace Group</narrative></receiver-org></transaction>
<transaction><transaction-type code="3"/><transaction-date iso-date="2025-09-01"/>
<value>-200000</value>
<receiver-org type="22"><narrative>Turkana Peace Group</narrative></receiver-org></transaction>
</iati-activity></iati-activities>"""


def test_a_reversal_is_stored_and_nets_the_disbursement(world, media_in_tmp):
    # Domain brief: a reversal of 200 k nets a 1 M disbursement to 800 k.
    world.intl.iati_identifier = "GB-CHC-1111111"
    world.intl.save()
    record = import_funding_file(world.intl, world.intl_editor, ACTIVITY.encode())
    assert record.status == "done", record.lines
    amounts = sorted(Flow.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("-200000.00"), Decimal("1000000.00")]
    Flow.objects.update(receiver_class="local")  # a person decided the receiver is local
    overview = funding_overview(world.intl, period(world.intl, 2025, False), Filters())
    metrics = overview["metrics"]
    assert metrics.total == Decimal("800000.00")
    assert metrics.figures["local"].numerator == Decimal("800000.00")
    # The drill-down shows the reversal with the disbursement.
    page = world.client_for(world.intl_viewer).get(
        f"/organisations/{world.intl.pk}/funding/figures/local/?year=2025"
    )
    assert "-200,000.00 USD" in page.content.decode()
    assert "reversal or repayment" in page.content.decode()


def test_importing_again_stores_nothing_twice(world, media_in_tmp):
    # Idempotent: each transaction keeps its source key, its position in the activity.
    world.intl.iati_identifier = "GB-CHC-1111111"
    world.intl.save()
    import_funding_file(world.intl, world.intl_editor, ACTIVITY.encode())
    again = import_funding_file(world.intl, world.intl_editor, ACTIVITY.encode())
    assert Flow.objects.count() == 2
    assert again.counts.get("unchanged") == 2
    assert sorted(Flow.objects.values_list("source_key", flat=True)) == [
        "iati:XE-REV-1#1",
        "iati:XE-REV-1#2",
    ]


def test_a_reversal_alone_in_a_year_makes_no_figure_negative(world, media_in_tmp):
    # Domain brief: no figure, whole or share becomes negative; a year whose net is ≤ 0
    # shows no share.
    world.intl.iati_identifier = "GB-CHC-1111111"
    world.intl.save()
    alone = ACTIVITY.replace("2025-09-01", "2026-02-01")
    import_funding_file(world.intl, world.intl_editor, alone.encode())
    Flow.objects.update(receiver_class="local")
    metrics = funding_overview(world.intl, period(world.intl, 2026, False), Filters())["metrics"]
    assert metrics.total == Decimal(0)
    assert len(metrics.unmatched) == 1
    assert metrics.figures["local"].share is None
    page = world.client_for(world.intl_viewer).get(
        f"/organisations/{world.intl.pk}/funding/?year=2026"
    )
    assert "Left out: reversals with nothing to net in this period" in page.content.decode()
