"""Fixed expectations of the localisation figures, one case per rule, each naming its source:
the Grand Bargain (commitment 2.4), the IASC definitions and the domain brief."""

from decimal import Decimal

from counterpart.funding.metrics import FlowFact, localisation_metrics

M = Decimal(1_000_000)


def fact(id, amount, local=True, group="", humanitarian=True, intermediaries=0):
    return FlowFact(
        id=id,
        amount=None if amount is None else Decimal(amount),
        local=local,
        refugee_led=False,
        intermediaries=intermediaries,
        flexible=None,
        multi_year=None,
        overhead_rate=None,
        partner=group or f"p{id}",
        humanitarian=humanitarian,
        group=group,
    )


def test_grand_bargain_divides_by_all_humanitarian_funding():
    # Grand Bargain 2.4: 10 M humanitarian funding with 1 M to local partners gives 10 %.
    metrics = localisation_metrics([fact(1, M)], humanitarian_funding=10 * M)
    figure = metrics.figures["grand_bargain"]
    assert figure.share == Decimal("10.0")
    assert figure.target == Decimal(25) and figure.meets_target is False


def test_grand_bargain_target_reached_at_25_percent():
    # Grand Bargain 2.4: 2.5 M of 10 M to local actors reaches the 25 % target.
    metrics = localisation_metrics([fact(1, 2_500_000)], humanitarian_funding=10 * M)
    assert metrics.figures["grand_bargain"].share == Decimal("25.0")
    assert metrics.figures["grand_bargain"].meets_target is True


def test_no_humanitarian_funding_means_no_share_and_no_verdict():
    # Domain brief: without the denominator there is no share; say what is missing.
    figure = localisation_metrics([fact(1, M)]).figures["grand_bargain"]
    assert figure.share is None and figure.meets_target is None


def test_share_of_funds_passed_to_partners_is_a_second_figure_without_target():
    # Domain brief: all of 1 M passed on went to local partners: 100 % of the funds passed to
    # partners, never labelled as the Grand Bargain figure and never given the verdict.
    metrics = localisation_metrics([fact(1, M)], humanitarian_funding=10 * M)
    local = metrics.figures["local"]
    assert local.share == Decimal("100.0")
    assert local.target is None and local.meets_target is None
    assert all(
        figure.target is None for code, figure in metrics.figures.items() if code != "grand_bargain"
    )


def test_flows_marked_not_humanitarian_are_not_humanitarian_funding_to_local_actors():
    # Grand Bargain 2.4 counts humanitarian funding: development money to a local partner is
    # left out of the numerator.
    metrics = localisation_metrics(
        [fact(1, M), fact(2, M, humanitarian=False)], humanitarian_funding=10 * M
    )
    assert metrics.figures["grand_bargain"].share == Decimal("10.0")
    assert metrics.figures["local"].share == Decimal("100.0")


def test_a_reversal_nets_the_disbursement_of_the_same_activity_and_receiver():
    # Domain brief, negative transactions: a reversal of 200 k nets a 1 M disbursement to 800 k.
    metrics = localisation_metrics(
        [fact(1, M, group="A|p"), fact(2, -200_000, group="A|p")], humanitarian_funding=8 * M
    )
    assert metrics.total == Decimal(800_000)
    assert metrics.figures["local"].numerator == Decimal(800_000)
    assert metrics.figures["grand_bargain"].share == Decimal("10.0")
    assert metrics.figures["local"].numerator_ids == [1, 2]  # both shown in the drill-down


def test_a_reversal_of_money_counted_in_another_period_never_makes_a_figure_negative():
    # Domain brief: net, never drop; but no figure, whole or share becomes negative: a group
    # whose net is below zero is left out and counted apart.
    metrics = localisation_metrics(
        [fact(1, -300_000, group="A|p"), fact(2, 100_000, local=False, group="B|q")],
        humanitarian_funding=M,
    )
    assert metrics.unmatched == [1]
    assert metrics.total == Decimal(100_000)
    assert metrics.figures["local"].share == Decimal("0.0")
    assert metrics.figures["grand_bargain"].numerator == Decimal(0)


def test_a_year_whose_net_passed_on_total_is_zero_shows_no_share():
    # Domain brief: no division by zero; a year whose net total is 0 or less shows no share.
    metrics = localisation_metrics([fact(1, M, group="A|p"), fact(2, -M, group="A|p")])
    assert metrics.total == Decimal(0)
    assert all(
        figure.share is None for code, figure in metrics.figures.items() if code != "overhead"
    )


def test_a_zero_or_negative_humanitarian_funding_gives_no_share():
    # Domain brief: the denominator must be a positive amount, or there is no share.
    for value in (Decimal(0), Decimal(-5)):
        figure = localisation_metrics([fact(1, M)], humanitarian_funding=value).figures[
            "grand_bargain"
        ]
        assert figure.share is None and figure.meets_target is None
