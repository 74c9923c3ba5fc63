"""The localisation metrics, worked out from flows already valued in one currency.

Pure functions: they take plain facts about flows and return figures with the flows behind each
one, so every figure can be traced to its flows. The definitions follow the Grand Bargain and the
domain brief:

- local share: funds to local and national actors ÷ all funds passed to partners;
- refugee-led share: funds to refugee-led organisations ÷ all funds passed to partners;
- as directly as possible: the local funds that went through at most one intermediary, as a
  share of local funds and as a share of all funds (the measure of the 25 % target);
- flexible share and multi-year share: of all funds passed to partners;
- overhead: the share of local partners whose overhead is covered, and the average rate of those
  covered.

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
        if not self.denominator:
            return None
        return (self.numerator * HUNDRED / self.denominator).quantize(
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


def _add(figure: Figure, fact: FlowFact, in_numerator: bool, amount=None):
    amount = fact.amount if amount is None else amount
    figure.denominator += amount
    figure.denominator_ids.append(fact.id)
    if in_numerator:
        figure.numerator += amount
        figure.numerator_ids.append(fact.id)


def localisation_metrics(facts) -> Metrics:
    figures = {
        "local": Figure("local", target=TARGET),
        "direct_of_all": Figure("direct_of_all", target=TARGET),
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
    for _partner, (amount, weighted, ids) in sorted(partner_rates.items()):
        rate = weighted / amount if amount else Decimal(0)
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
        unknown={**unknown, "overhead_partners": len(partners_unknown - set(partner_rates))},
    )


def by_country(facts) -> list[tuple[str, Metrics]]:
    """The same metrics for each country the flows went to ("" when not recorded)."""
    groups = defaultdict(list)
    for fact in facts:
        groups[fact.country].append(fact)
    return [(country, localisation_metrics(group)) for country, group in sorted(groups.items())]
