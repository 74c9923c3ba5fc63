"""Importing IATI files and reading the localisation metrics from them, with figures worked out
by hand. The test files in tests/data/funding: our activity in Kenya, and two other publishers'
activities that passed our money on (one named as the receiver's activity, one linked only
through its provider-activity-id)."""

from decimal import Decimal

import pytest

from counterpart.funding.models import Flow, ReceiverClass
from counterpart.funding.selectors import Filters, funding_overview, period
from counterpart.funding.services import exchange_rate_save, receiver_decide
from counterpart.organisations.models import OrganisationKind
from tests.conftest import fixture_bytes, import_funding_file, make_org

pytestmark = [pytest.mark.django_db, pytest.mark.xml_readers]


@pytest.fixture
def ours(world, media_in_tmp):
    world.intl.iati_identifier = "GB-CHC-1111111"
    world.intl.save()
    make_org(
        "Dadaab Refugee Self-Help",
        OrganisationKind.REFUGEE_LED,
        "KE",
        refugee_led=True,
        iati_identifier="KE-CBO-4444",
    )
    exchange_rate_save(
        actor=world.intl_editor,
        organisation=world.intl,
        currency="EUR",
        valid_from="2024-01-01",
        rate=Decimal("1.10"),
    )
    return world


def figures(world, year=2024, **filters):
    result = funding_overview(world.intl, period(world.intl, year, False), Filters(**filters))
    metrics = result["metrics"]
    return {code: figure.share for code, figure in metrics.figures.items()}, metrics


def test_our_file_alone(ours):
    record = import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    assert record.status == "done"
    assert record.counts["read"] == 1
    assert record.counts["stored"] == 5
    assert record.counts["skipped"] == 1  # the incoming funds
    assert record.counts["review"] == 1  # the regional network
    shares, metrics = figures(ours)
    # 100 000 + 55 000 (50 000 EUR at 1.10) local, 200 000 not local; 50 000 waits.
    assert metrics.total == Decimal("355000.00")
    assert shares["local"] == Decimal("43.7")  # 155 000 / 355 000
    assert shares["direct_of_local"] == Decimal("100.0")
    assert shares["refugee_led"] == Decimal("0.0")
    assert len(metrics.waiting) == 1


def test_chains_count_intermediaries_and_what_was_passed_on(ours):
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    record = import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("partner-2.03.xml"))
    assert record.counts["stored"] == 3
    assert record.counts["chained"] == 3
    third = Flow.objects.get(source_key="iati:GB-CHC-5555555-C1#2")
    assert third.parent.source_key == "iati:GB-CHC-3333333-B1#3"
    assert third.parent.parent.source_key == "iati:GB-CHC-1111111-A1#4"
    shares, metrics = figures(ours)
    # Counted: 100 000 + 55 000 + 50 000 kept by Relief Partners (200 000 - 150 000 passed on)
    # + 120 000 to Dadaab (one intermediary) + 10 000 kept by Second Line (30 000 - 20 000)
    # + 20 000 to Garissa (two intermediaries) = 355 000.
    assert metrics.total == Decimal("355000.00")
    assert metrics.figures["local"].numerator == Decimal("295000.00")
    assert shares["local"] == Decimal("83.1")  # 295 000 / 355 000
    assert shares["direct_of_local"] == Decimal("93.2")  # 275 000 / 295 000
    assert shares["direct_of_all"] == Decimal("77.5")  # 275 000 / 355 000
    assert shares["refugee_led"] == Decimal("33.8")  # 120 000 / 355 000 (matched by identifier)


def test_a_decision_about_a_receiver_counts_and_is_remembered(ours):
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    changed = receiver_decide(
        actor=ours.intl_editor,
        organisation=ours.intl,
        key="ref:XR-NET-7777",
        name="East Africa Regional Network",
        receiver_class=ReceiverClass.LOCAL,
    )
    assert changed == 1
    shares, metrics = figures(ours)
    assert metrics.waiting == []
    assert shares["local"] == Decimal("50.6")  # 205 000 / 405 000 = 50.62 %
    Flow.objects.all().delete()
    again = import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    assert again.counts["review"] == 0
    assert Flow.objects.get(receiver_ref="XR-NET-7777").receiver_class == ReceiverClass.LOCAL


def test_importing_the_same_files_again_changes_nothing(ours):
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("partner-2.03.xml"))
    before = list(Flow.objects.order_by("pk").values())
    for name in ("ours-2.03.xml", "partner-2.03.xml"):
        record = import_funding_file(ours.intl, ours.intl_editor, fixture_bytes(name))
        assert record.counts["stored"] == 0
        assert record.counts["updated"] == 0
        assert record.counts["chained"] == 0
    assert list(Flow.objects.order_by("pk").values()) == before


def test_a_flow_without_a_rate_is_reported_not_guessed(ours):
    from counterpart.funding.models import ExchangeRate

    ExchangeRate.objects.all().delete()
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    shares, metrics = figures(ours)
    assert len(metrics.no_rate) == 1
    assert metrics.total == Decimal("300000.00")
    assert shares["local"] == Decimal("33.3")  # 100 000 / 300 000


def test_commitments_are_counted_apart(ours):
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    shares, metrics = figures(ours, kind="commitment")
    assert metrics.total == Decimal("400000.00")
    assert shares["local"] == Decimal("100.0")


def test_legacy_file_version_1_05(ours):
    """iatikit's 1.05 file: no reporting-org, letter codes, receivers only as the implementing
    participating-org with refs that are not identifiers ("1", "2", "3"), amounts in GBP."""
    from counterpart.funding.services import funding_settings_update

    funding_settings_update(
        actor=ours.intl_admin, organisation=ours.intl, currency="GBP", fiscal_year_start=1
    )
    record = import_funding_file(
        ours.intl, ours.intl_editor, fixture_bytes("iatikit/fixture-org-activities2.xml")
    )
    assert record.counts["version"] == "1.05"
    assert record.counts["stored"] == 6
    assert record.counts["review"] == 6
    assert {line[2] for line in record.lines} == {"implementer"}
    for name, verdict in (
        ("implementer 1", ReceiverClass.REFUGEE_LED),
        ("implementer 2", ReceiverClass.LOCAL),
        ("implementer 3", ReceiverClass.NOT_LOCAL),
    ):
        receiver_decide(
            actor=ours.intl_editor,
            organisation=ours.intl,
            key=f"name:{name}",
            name=name,
            receiver_class=verdict,
        )
    shares, metrics = figures(ours, year=2013)
    # Disbursements on 2013-12-31: 200 000 (CF) + 166 275 + 150 000 (PH) = 516 275 GBP.
    assert metrics.total == Decimal("516275.00")
    assert shares["local"] == Decimal("70.9")  # 366 275 / 516 275 = 70.946 %
    assert shares["refugee_led"] == Decimal("38.7")  # 200 000 / 516 275
    by_country = dict(
        funding_overview(ours.intl, period(ours.intl, 2013, False), Filters())["countries"]
    )
    assert by_country["CF"].figures["local"].share == Decimal("100.0")
    assert by_country["PH"].figures["local"].share == Decimal("52.6")  # 166 275 / 316 275


def test_a_funders_file_does_not_change_our_figures(ours):
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("ours-2.03.xml"))
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("partner-2.03.xml"))
    record = import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("funder-2.03.xml"))
    assert record.counts["stored"] == 2
    assert Flow.objects.get(source_key="iati:GB-CHC-1111111-A1#2").parent.source_key == (
        "iati:XM-DAC-41114-99#1"
    )
    shares, metrics = figures(ours)
    # The fund's payment to us is not ours to count, and our chains still start with us.
    assert metrics.total == Decimal("355000.00")
    assert shares["local"] == Decimal("83.1")
    assert shares["direct_of_local"] == Decimal("93.2")


def test_a_receiver_named_only_by_its_activity_can_be_decided(ours):
    ours.intl.iati_identifier = ""
    ours.intl.save()
    import_funding_file(ours.intl, ours.intl_editor, fixture_bytes("funder-2.03.xml"))
    page = ours.client_for(ours.intl_editor).get(
        f"/organisations/{ours.intl.pk}/funding/receivers/"
    )
    assert "XE-ELSEWHERE-1" in page.content.decode()
    changed = receiver_decide(
        actor=ours.intl_editor,
        organisation=ours.intl,
        key="activity:XE-ELSEWHERE-1",
        name="",
        receiver_class=ReceiverClass.NOT_LOCAL,
    )
    assert changed == 1
