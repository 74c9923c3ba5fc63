"""Reads about funding: the organisation's flows valued in its figures currency, the periods it
can choose, the receivers waiting for a decision, and its imports."""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.organisations.models import Organisation

from .metrics import FlowFact, by_country, localisation_metrics
from .models import (
    ExchangeRate,
    Flow,
    FlowKind,
    FundingImport,
    HumanitarianFunding,
    ReceiverClass,
)
from .services import settings_for

CENT = Decimal("0.01")


@dataclass
class Period:
    year: int
    fiscal: bool
    start: date
    end: date  # the day after the last day

    @property
    def label(self) -> str:
        if not self.fiscal:
            return str(self.year)
        return f"{self.year}–{str(self.year + 1)[-2:]}"


def period(organisation, year: int, fiscal: bool) -> Period:
    month = settings_for(organisation).fiscal_year_start if fiscal else 1
    if month == 1:
        fiscal = False
    return Period(year, fiscal, date(year, month, 1), date(year + 1, month, 1))


def flow_years(organisation) -> list[int]:
    found = Flow.objects.filter(organisation=organisation).aggregate(
        first=Min("date"), last=Max("date")
    )
    if found["first"] is None:
        return []
    return list(range(found["last"].year, found["first"].year - 2, -1))


class Rates:
    """Exchange rates of one organisation: the rate in force on a day, or None."""

    def __init__(self, organisation, currency: str):
        self.currency = currency
        table = defaultdict(list)
        for code, valid_from, rate in (
            ExchangeRate.objects.filter(organisation=organisation)
            .order_by("currency", "valid_from")
            .values_list("currency", "valid_from", "rate")
        ):
            table[code].append((valid_from, rate))
        self.days = {code: [d for d, _r in rows] for code, rows in table.items()}
        self.rates = {code: [r for _d, r in rows] for code, rows in table.items()}

    def value(self, amount: Decimal, currency: str, day: date) -> Decimal | None:
        if currency == self.currency:
            return amount
        days = self.days.get(currency)
        if not days:
            return None
        index = bisect_right(days, day) - 1
        if index < 0:
            return None
        return (amount * self.rates[currency][index]).quantize(CENT, rounding=ROUND_HALF_UP)


FLOW_FIELDS = (
    "pk", "date", "value_date", "amount", "currency", "receiver_organisation_id", "receiver_class",
    "receiver_key", "receiver_name", "receiver_ref", "own", "parent_id", "intermediaries",
    "flexible", "multi_year", "overhead_rate", "country", "humanitarian", "kind", "source",
    "provider_name", "note", "partnership_id", "source_activity",
)  # fmt: skip


@dataclass
class Filters:
    kind: str = FlowKind.DISBURSEMENT
    humanitarian_only: bool = False
    country: str = ""


def _rows(queryset):
    return {row["pk"]: row for row in queryset.values(*FLOW_FIELDS)}


def valued_flows(organisation, span: Period, filters: Filters):
    """The flows of the period that count for the organisation, each with its value in the
    figures currency, its chain of intermediaries and the facts the metrics need.

    A flow counts when the organisation reported it, or when it continues (through `parent`)
    one of the organisation's own flows. A flow whose receiver passed money on counts only for
    what the receiver kept; the rest counts where it landed."""
    currency = settings_for(organisation).currency
    rates = Rates(organisation, currency)
    scope = Flow.objects.filter(organisation=organisation, kind=filters.kind)
    chosen = scope.filter(date__gte=span.start, date__lt=span.end)
    if filters.humanitarian_only:
        chosen = chosen.filter(humanitarian=True)
    if filters.country:
        chosen = chosen.filter(country=filters.country)
    rows = _rows(chosen)
    known = dict(rows)
    # Earlier legs of chained flows, whatever their dates, to trace each chain to its start.
    found = rows
    while missing := {r["parent_id"] for r in found.values()} - set(known) - {None}:
        found = _rows(Flow.objects.filter(pk__in=missing))
        known.update(found)
    # What each flow passed on to later legs, whatever their dates.
    passed_on = defaultdict(list)
    for child in Flow.objects.filter(parent__in=chosen.values("pk")).values(
        "parent_id", "amount", "currency", "date", "value_date"
    ):
        passed_on[child["parent_id"]].append(child)
    receivers = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=chosen.values("receiver_organisation_id"))
    }
    chains = {}

    def chain(pk, seen=()):
        if pk in chains:
            return chains[pk]
        row = known[pk]
        parent = row["parent_id"]
        above, rooted = ([], False)
        if parent is not None and parent in known and pk not in seen:
            above, rooted = chain(parent, (*seen, pk))
        if rooted:
            # The money continues one of our own flows: the earlier receivers are intermediaries.
            parent_row = known[parent]
            result = ([*above, parent_row["receiver_name"] or parent_row["receiver_ref"]], True)
        else:
            # Our own flow starts the chain, whoever paid us; someone else's counts only after
            # one of ours.
            result = (list(row["intermediaries"]), row["own"])
        chains[pk] = result
        return result

    valued = []
    for pk, row in rows.items():
        names, counts = chain(pk)
        if not counts:
            continue
        value = rates.value(row["amount"], row["currency"], row["value_date"] or row["date"])
        if value is not None and passed_on.get(pk):
            later = [
                rates.value(c["amount"], c["currency"], c["value_date"] or c["date"])
                for c in passed_on[pk]
            ]
            value = None if None in later else max(value - sum(later), Decimal(0))
        organisation_ = receivers.get(row["receiver_organisation_id"])
        if organisation_ is not None:
            local, refugee_led = organisation_.is_local, organisation_.is_refugee_led
            receiver = organisation_.name
        else:
            receiver_class = row["receiver_class"]
            local = (
                None
                if receiver_class == ReceiverClass.REVIEW
                else receiver_class in (ReceiverClass.LOCAL, ReceiverClass.REFUGEE_LED)
            )
            refugee_led = receiver_class == ReceiverClass.REFUGEE_LED
            receiver = row["receiver_name"] or row["receiver_ref"]
        valued.append(
            {
                **row,
                "value": value,
                "passed_on": bool(passed_on.get(pk)),
                "chain": names,
                "local": local,
                "refugee_led": refugee_led,
                "receiver": receiver,
            }
        )
    valued.sort(key=lambda r: (r["date"], r["pk"]))
    return valued, currency


def facts_of(valued) -> list[FlowFact]:
    return [
        FlowFact(
            id=row["pk"],
            amount=row["value"],
            local=row["local"],
            refugee_led=row["refugee_led"],
            intermediaries=len(row["chain"]),
            flexible=row["flexible"],
            multi_year=row["multi_year"],
            overhead_rate=row["overhead_rate"],
            partner=(
                f"org:{row['receiver_organisation_id']}"
                if row["receiver_organisation_id"]
                else row["receiver_key"]
            ),
            country=str(row["country"] or ""),
            humanitarian=row["humanitarian"],
            group="{}|{}".format(
                row["source_activity"],
                f"org:{row['receiver_organisation_id']}"
                if row["receiver_organisation_id"]
                else row["receiver_key"] or row["receiver"],
            ),
        )
        for row in valued
    ]


@dataclass
class HumanitarianTotal:
    """The organisation's humanitarian funding for a period, as entered and as valued."""

    year: int
    entered: object = None  # the HumanitarianFunding, or None when nobody entered it
    value: Decimal | None = None  # in the figures currency; None when missing or no rate
    rate_day: date | None = None

    @property
    def missing(self) -> str:
        if self.entered is None:
            return "entry"
        if self.value is None:
            return "rate"
        return ""


def humanitarian_total(organisation, span: Period, currency: str | None = None):
    """The humanitarian funding entered for the period's year, valued with the rate in force on
    the period's last day."""
    currency = currency or settings_for(organisation).currency
    found = HumanitarianFunding.objects.filter(organisation=organisation, year=span.year).first()
    last_day = span.end - timedelta(days=1)
    total = HumanitarianTotal(year=span.year, entered=found, rate_day=last_day)
    if found is not None:
        total.value = Rates(organisation, currency).value(found.amount, found.currency, last_day)
    return total


def humanitarian_funding_of(organisation):
    return list(HumanitarianFunding.objects.filter(organisation=organisation))


def funding_overview(organisation, span: Period, filters: Filters) -> dict:
    """The figures of a period. The Grand Bargain share is for the whole organisation: with a
    country chosen it is not worked out."""
    valued, currency = valued_flows(organisation, span, filters)
    facts = facts_of(valued)
    total = humanitarian_total(organisation, span, currency)
    return {
        "currency": currency,
        "humanitarian": total,
        "metrics": localisation_metrics(facts, None if filters.country else total.value),
        "countries": by_country(facts) if not filters.country else [],
        "valued": valued,
    }


def flow_countries(organisation) -> list[str]:
    return sorted(
        set(
            Flow.objects.filter(organisation=organisation)
            .exclude(country="")
            .values_list("country", flat=True)
        )
    )


def flow_for_member(organisation, flow_id) -> Flow:
    flow = Flow.objects.filter(organisation=organisation, pk=flow_id).first()
    if flow is None:
        raise Http404(_("This funding flow does not exist."))
    return flow


def flows_found(organisation, *, source="", query=""):
    """The organisation's flows that the flow list finds: by source, and by a piece of the
    receiver's or provider's name or the receiver's identifier (a queryset)."""
    flows = Flow.objects.filter(organisation=organisation)
    if source:
        flows = flows.filter(source=source)
    if query:
        flows = flows.filter(
            Q(receiver_name__icontains=query)
            | Q(provider_name__icontains=query)
            | Q(receiver_ref__icontains=query)
        )
    return flows


def flows_page(organisation, *, source="", query="", page=1, per_page=50):
    flows = flows_found(organisation, source=source, query=query).select_related(
        "receiver_organisation"
    )
    total = flows.count()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    return {
        "flows": list(flows[(page - 1) * per_page : page * per_page]),
        "total": total,
        "page": page,
        "pages": pages,
    }


def _waiting_receivers(organisation):
    return (
        Flow.objects.filter(
            organisation=organisation,
            receiver_organisation__isnull=True,
            receiver_class=ReceiverClass.REVIEW,
        )
        .exclude(receiver_key="")
        .order_by()
    )


def receivers_waiting_count(organisation) -> int:
    return _waiting_receivers(organisation).values("receiver_key").distinct().count()


def receivers_to_review(organisation) -> list[dict]:
    """Receivers waiting for a decision, each once, with what their flows add up to and the
    organisations on Counterpart whose name matches."""
    waiting = list(
        _waiting_receivers(organisation)
        .values("receiver_key")
        .annotate(
            flows=Count("pk"),
            name=Max("receiver_name"),
            ref=Max("receiver_ref"),
            type=Max("receiver_type"),
            country=Max("country"),
            first=Min("date"),
            last=Max("date"),
        )
        .order_by("-flows", "receiver_key")[:200]
    )
    names = {row["name"].casefold() for row in waiting if row["name"]}
    matches = defaultdict(list)
    if names:
        same_name = Q()
        for name in names:
            same_name |= Q(name__iexact=name)
        for organisation_ in Organisation.objects.filter(same_name).only("pk", "name", "country"):
            if organisation_.name.casefold() in names:
                matches[organisation_.name.casefold()].append(organisation_)
    for row in waiting:
        row["matches"] = matches.get((row["name"] or "").casefold(), [])
    return waiting


def decisions(organisation):
    from .models import ReceiverDecision

    return list(
        ReceiverDecision.objects.filter(organisation=organisation)
        .select_related("receiver_organisation", "decided_by")
        .order_by("-decided_at")[:200]
    )


def imports_of(organisation, limit=20):
    return list(
        FundingImport.objects.filter(organisation=organisation).select_related("uploaded_by")[
            :limit
        ]
    )


def import_for_member(organisation, import_id) -> FundingImport:
    found = FundingImport.objects.filter(organisation=organisation, pk=import_id).first()
    if found is None:
        raise Http404(_("This import does not exist."))
    return found


def rates_of(organisation):
    return list(ExchangeRate.objects.filter(organisation=organisation))


def amounts_by_source(organisation):
    return list(
        Flow.objects.filter(organisation=organisation)
        .values("source")
        .annotate(flows=Count("pk"), total=Sum("amount"))
        .order_by("source")
    )


def public_figures(organisation, years=3) -> dict:
    """The localisation figures of the last years with payments, for the public accountability
    page: shares only, with no receiver named. Years follow the organisation's financial year."""
    chosen = settings_for(organisation)
    fiscal = chosen.fiscal_year_start != 1
    rows = []
    for year in flow_years(organisation):
        if len(rows) == years:
            break
        span = period(organisation, year, fiscal)
        overview = funding_overview(organisation, span, Filters())
        metrics = overview["metrics"]
        if not metrics.counted:
            continue
        rows.append(
            {"period": span.label, "metrics": metrics, "humanitarian": overview["humanitarian"]}
        )
    return {"currency": chosen.currency, "rows": rows}
