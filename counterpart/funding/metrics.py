"""The localisation metrics, worked out from flows already valued in one currency.

Pure functions: they take plain facts about flows and return figures with the flows behind each
one, so every figure can be traced to its flows. The definitions follow the Grand Bargain
(commitment 2.4), the IASC definitions and the domain brief:

- Grand Bargain local share: humanitarian funds that reached local and national actors ÷ the
  organisation's total humanitarian funding for the year, entered by hand. This is the only
  figure compared with the 25 % target; without the total there is no share;
- local share of funds passed to partners: funds to local and national actors ÷ all funds
  passed to partners (a second figure, never compared with the target);
- refugee-led share: funds to refugee-led organisations ÷ all funds passed to partners;
- as directly as possible: the local funds that went through at most one intermediary, as a
  share of local funds and as a share of all funds passed to partners;
- flexible share and multi-year share: of all funds passed to partners;
- overhead: the share of local partners whose overhead is covered, and the average rate of those
  covered.

Negative flows (reversals, repayments, reduced commitments) net the flows of the same activity
to the same receiver in the period. A group whose net is below zero (it reverses money counted
in another period) is left out and counted apart, so that no figure becomes negative; a figure
whose whole is zero or less has no share.

Flows whose receiver waits for a person's decision, or that have no exchange rate, are left out
of every figure and counted apart, never guessed."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TARGET = Decimal(25)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FlowFact:
    id: int
    amount: Decimal | None  # valued in the figures currency; None when no rate is known
    local: bool | None  # None while the receiver waits for a decision
    refugee_led: bool
    intermediaries: int
    flexible: bool | None
    multi_year: bool | None
    overhead_rate: Decimal | None
    partner: str
    country: str = ""
    humanitarian: bool | None = None
    # Flows of the same group net each other: the same activity and receiver.
    group: str = ""


@dataclass
class Figure:
    code: str
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    target: Decimal | None = None
    numerator_ids: list = field(default_factory=list)
    denominator_ids: list = field(default_factory=list)
    # For figures counted in partners rather than money.
    unit: str = "money"

    @property
    def share(self) -> Decimal | None:
        if self.denominator <= 0:
            return None
        return (max(self.numerator, Decimal(0)) * HUNDRED / self.denominator).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.share is None:
            return None
        return self.share >= self.target


@dataclass
class Metrics:
    figures: dict
    total: Decimal
    counted: int
    waiting: list  # ids of flows whose receiver waits for a decision
    no_rate: list  # ids of flows with no exchange rate
    overhead_average: Decimal | None
    unknown: dict  # amounts whose flexibility / multi-year is not recorded
    # ids of flows in groups whose net is below zero: reversals of money counted elsewhere
    unmatched: list = field(default_factory=list)
    # The organisation's humanitarian funding for the period, in the figures currency
    humanitarian_funding: Decimal | None = None


def _add(figure: Figure, fact: FlowFact, in_numerator: bool, amount=None):
    amount = fact.amount if amount is None else amount
    figure.denominator += amount
    figure.denominator_ids.append(fact.id)
    if in_numerator:
        figure.numerator += amount
        figure.numerator_ids.append(fact.id)


def _net_groups(facts):
    """The facts whose group nets to zero or more, and the ids of those whose group nets below
    zero (a reversal of money counted in another period)."""
    net = defaultdict(Decimal)
    for fact in facts:
        if fact.local is not None and fact.amount is not None:
            net[fact.group or f"flow:{fact.id}"] += fact.amount
    kept, unmatched = [], []
    for fact in facts:
        counts = fact.local is not None and fact.amount is not None
        if counts and net[fact.group or f"flow:{fact.id}"] < 0:
            unmatched.append(fact.id)
            continue
        kept.append(fact)
    return kept, unmatched


def grand_bargain_figure(facts, humanitarian_funding: Decimal | None) -> Figure:
    """Humanitarian funds that reached local and national actors ÷ the organisation's total
    humanitarian funding (Grand Bargain 2.4), compared with the 25 % target. Flows marked as not
    humanitarian are left out of the numerator. Without the total, the whole is zero: no share
    and no verdict."""
    figure = Figure("grand_bargain", target=TARGET)
    kept, _unmatched = _net_groups(facts)
    for fact in kept:
        if fact.local and fact.amount is not None and fact.humanitarian is not False:
            figure.numerator += fact.amount
            figure.numerator_ids.append(fact.id)
    figure.numerator = max(figure.numerator, Decimal(0))
    figure.denominator_ids = list(figure.numerator_ids)
    if humanitarian_funding is not None and humanitarian_funding > 0:
        figure.denominator = humanitarian_funding
    return figure


def localisation_metrics(facts, humanitarian_funding: Decimal | None = None) -> Metrics:
    """The figures of a period. `humanitarian_funding` is the organisation's total humanitarian
    funding for the period in the figures currency, or None when it is not known."""
    facts = list(facts)
    grand_bargain = grand_bargain_figure(facts, humanitarian_funding)
    facts, unmatched = _net_groups(facts)
    figures = {
        "grand_bargain": grand_bargain,
        "local": Figure("local"),
        "direct_of_all": Figure("direct_of_all"),
        "direct_of_local": Figure("direct_of_local"),
        "refugee_led": Figure("refugee_led"),
        "flexible": Figure("flexible"),
        "multi_year": Figure("multi_year"),
        "overhead": Figure("overhead", unit="partners"),
    }
    waiting, no_rate = [], []
    unknown = {"flexible": Decimal(0), "multi_year": Decimal(0)}
    partner_rates = defaultdict(lambda: [Decimal(0), Decimal(0), []])  # amount, weighted, ids
    partners_unknown = set()
    counted = 0
    for fact in facts:
        if fact.local is None:
            waiting.append(fact.id)
            continue
        if fact.amount is None:
            no_rate.append(fact.id)
            continue
        counted += 1
        direct = fact.local and fact.intermediaries <= 1
        _add(figures["local"], fact, fact.local)
        _add(figures["direct_of_all"], fact, direct)
        _add(figures["refugee_led"], fact, fact.refugee_led and fact.local)
        if fact.local:
            _add(figures["direct_of_local"], fact, direct)
        for name in ("flexible", "multi_year"):
            value = getattr(fact, name)
            _add(figures[name], fact, bool(value))
            if value is None:
                unknown[name] += fact.amount
        if fact.local:
            if fact.overhead_rate is None:
                partners_unknown.add(fact.partner)
            else:
                entry = partner_rates[fact.partner]
                entry[0] += fact.amount
                entry[1] += fact.amount * fact.overhead_rate
                entry[2].append(fact.id)
    overhead = figures["overhead"]
    covered_rates = []
    for code, figure in figures.items():
        if code not in ("grand_bargain", "overhead"):
            # A reversal recorded apart from what it reverses may leave a part above its whole.
            figure.denominator = max(figure.denominator, Decimal(0))
            figure.numerator = min(max(figure.numerator, Decimal(0)), figure.denominator)
    for _partner, (amount, weighted, ids) in sorted(partner_rates.items()):
        rate = weighted / amount if amount > 0 else Decimal(0)
        overhead.denominator += 1
        overhead.denominator_ids.extend(ids)
        if rate > 0:
            overhead.numerator += 1
            overhead.numerator_ids.extend(ids)
            covered_rates.append(rate)
    average = None
    if covered_rates:
        average = (sum(covered_rates) / len(covered_rates)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    return Metrics(
        figures=figures,
        total=figures["local"].denominator,
        counted=counted,
        waiting=waiting,
        no_rate=no_rate,
        overhead_average=average,
        unknown={
            **{name: max(amount, Decimal(0)) for name, amount in unknown.items()},
            "overhead_partners": len(partners_unknown - set(partner_rates)),
        },
        unmatched=unmatched,
        humanitarian_funding=humanitarian_funding,
    )


def by_country(facts) -> list[tuple[str, Metrics]]:
    """The same metrics for each country the flows went to ("" when not recorded), without the
    Grand Bargain share: the organisation's humanitarian funding is not split by country."""
    groups = defaultdict(list)
    for fact in facts:
        groups[fact.country].append(fact)
    return [(country, localisation_metrics(group)) for country, group in sorted(groups.items())]
