"""Every write about funding: flows by hand, from agreements and from files; exchange rates;
the funding settings; and the decisions people make about receivers.

Each is atomic, needs the editor role in the organisation (settings and reading need less), and
is audit-logged in the organisation's log."""

import contextlib
import csv
import functools
import hashlib
import io
import os
import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from counterpart.audit.services import audit_record, snapshot
from counterpart.organisations.models import Organisation, Role
from counterpart.organisations.permissions import require_role
from counterpart.partnerships.models import FundingType, Party, Side

from . import iati
from .models import (
    ActivityLink,
    ExchangeRate,
    Flow,
    FlowKind,
    FlowSource,
    FundingImport,
    FundingSettings,
    HumanitarianFunding,
    ImportKind,
    ImportStatus,
    ReceiverClass,
    ReceiverDecision,
)
from .receivers import classify, receiver_key

MAX_REPORT_LINES = 1000
BATCH = 1000
MB = 1024 * 1024

# The fields a flow's source sets; comparing them tells an unchanged flow from a changed one.
CONTENT_FIELDS = (
    "kind", "date", "value_date", "amount", "currency", "provider_name", "provider_ref",
    "receiver_organisation_id", "receiver_name", "receiver_ref", "receiver_type",
    "receiver_class", "receiver_key", "country", "humanitarian", "flexible", "multi_year",
    "overhead_rate", "intermediaries", "own", "source_activity", "receiver_activity", "note",
    "partnership_id",
)  # fmt: skip
FLOW_FORM_FIELDS = (
    "kind", "date", "amount", "currency", "provider_name", "receiver_organisation",
    "receiver_name", "receiver_class", "country", "humanitarian", "flexible", "multi_year",
    "overhead_rate", "intermediaries", "note",
)  # fmt: skip
CSV_COLUMNS = (
    "reference", "date", "kind", "provider", "receiver", "receiver_iati_identifier",
    "receiver_type", "country", "amount", "currency", "humanitarian", "intermediaries",
    "flexible", "multi_year", "overhead_rate", "note",
)  # fmt: skip
CSV_REQUIRED = ("date", "kind", "receiver", "amount", "currency")


@functools.cache
def _country_codes() -> frozenset:
    return frozenset(code for code, _name in countries)


def max_upload_bytes() -> int:
    return getattr(settings, "FUNDING_IMPORT_MAX_MB", 500) * MB


def settings_for(organisation) -> FundingSettings:
    found = FundingSettings.objects.filter(organisation=organisation).first()
    return found or FundingSettings(organisation=organisation)


# --- Settings and exchange rates ------------------------------------------------------------


@transaction.atomic
def funding_settings_update(*, actor, organisation, currency, fiscal_year_start):
    require_role(actor, organisation, Role.ADMIN)
    current = settings_for(organisation)
    before = snapshot(current, ("currency", "fiscal_year_start")) if current.pk else None
    current.currency = currency
    current.fiscal_year_start = fiscal_year_start
    current.full_clean()
    current.save()
    audit_record(
        actor=actor,
        action="funding_settings_update",
        obj=current,
        organisation=organisation,
        before=before,
        after=snapshot(current, ("currency", "fiscal_year_start")),
    )
    return current


@transaction.atomic
def exchange_rate_save(*, actor, organisation, currency, valid_from, rate):
    require_role(actor, organisation, Role.EDITOR)
    found = ExchangeRate.objects.filter(
        organisation=organisation, currency=currency, valid_from=valid_from
    ).first()
    before = snapshot(found, ("rate",)) if found else None
    if found is None:
        found = ExchangeRate(organisation=organisation, currency=currency, valid_from=valid_from)
    found.rate = rate
    found.full_clean()
    found.save()
    audit_record(
        actor=actor,
        action="exchange_rate_save",
        obj=found,
        organisation=organisation,
        before=before,
        after=snapshot(found, ("currency", "valid_from", "rate")),
    )
    return found


@transaction.atomic
def exchange_rate_delete(*, actor, rate: ExchangeRate):
    require_role(actor, rate.organisation, Role.EDITOR)
    before = snapshot(rate, ("currency", "valid_from", "rate"))
    audit_record(
        actor=actor,
        action="exchange_rate_delete",
        obj=rate,
        organisation=rate.organisation,
        before=before,
    )
    rate.delete()


def _read_csv(handle):
    """The header (lower-cased) of a CSV file and an iterator of (line number, row), read as the
    rows are used. Raises UnreadableFile when the text cannot be read."""
    binary = getattr(handle, "file", handle)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise iati.UnreadableFile("encoding") from None
    if not first.strip():
        raise iati.UnreadableFile("no_header")
    delimiter = max(",;\t", key=first.count)
    try:
        header = [cell.strip().lower() for cell in next(csv.reader([first], delimiter=delimiter))]
    except csv.Error:
        raise iati.UnreadableFile("not_csv", {"line": 1}) from None
    reader = csv.reader(text, delimiter=delimiter)

    def rows():
        try:
            for row in reader:
                if any("\x00" in cell for cell in row):
                    # Text files never hold NUL characters; the database would refuse them.
                    raise csv.Error("NUL")
                yield reader.line_num + 1, row
        except UnicodeDecodeError:
            raise iati.UnreadableFile("encoding") from None
        except csv.Error:
            raise iati.UnreadableFile("not_csv", {"line": reader.line_num + 1}) from None

    return header, rows()


def _check_columns(header, required):
    missing = [name for name in required if name not in header]
    if missing:
        raise iati.UnreadableFile("missing_columns", {"columns": ", ".join(missing)})


@transaction.atomic
def humanitarian_funding_save(*, actor, organisation, year, amount, currency, source_note=""):
    """The organisation's total humanitarian funding for a year (the denominator of the Grand
    Bargain local share), entered or corrected by an editor."""
    require_role(actor, organisation, Role.EDITOR)
    if amount is None or amount <= 0:
        raise ValidationError(
            {"amount": _("Enter the humanitarian funding as an amount greater than zero.")}
        )
    found = HumanitarianFunding.objects.filter(organisation=organisation, year=year).first()
    fields = ("year", "amount", "currency", "source_note")
    before = snapshot(found, fields) if found else None
    if found is None:
        found = HumanitarianFunding(organisation=organisation, year=year)
    found.amount = amount
    found.currency = (currency or "").upper()
    found.source_note = source_note or ""
    found.entered_by = actor
    found.full_clean()
    found.save()
    audit_record(
        actor=actor,
        action="humanitarian_funding_save",
        obj=found,
        organisation=organisation,
        before=before,
        after=snapshot(found, fields),
    )
    return found


@transaction.atomic
def exchange_rates_import(*, actor, organisation, uploaded) -> dict:
    """Rates from a CSV file with the columns currency, valid_from and rate. Rows that cannot be
    read are listed; the file is refused as a whole only when it cannot be read at all."""
    require_role(actor, organisation, Role.EDITOR)
    try:
        if uploaded.size > max_upload_bytes():
            raise iati.UnreadableFile("too_big")
        header, rows = _read_csv(uploaded)
        _check_columns(header, ("currency", "valid_from", "rate"))
        return _save_rates(actor, organisation, header, rows)
    except iati.UnreadableFile as error:
        raise ValidationError(_unreadable_text(error)) from None


def _save_rates(actor, organisation, header, rows) -> dict:
    column = {name: header.index(name) for name in ("currency", "valid_from", "rate")}
    saved, problems = 0, []
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in column.items()}
        currency = cells["currency"].upper()
        valid_from = _parse_date(cells["valid_from"])
        rate = _parse_decimal(cells["rate"])
        if len(currency) != 3 or not currency.isalpha():
            problems.append((number, "bad_currency", {"value": cells["currency"]}))
        elif valid_from is None:
            problems.append((number, "bad_date", {}))
        elif rate is None or rate <= 0:
            problems.append((number, "bad_amount", {"value": cells["rate"]}))
        else:
            ExchangeRate.objects.update_or_create(
                organisation=organisation,
                currency=currency,
                valid_from=valid_from,
                defaults={"rate": rate},
            )
            saved += 1
    audit_record(
        actor=actor,
        action="exchange_rate_import",
        organisation=organisation,
        after={"saved": saved, "skipped": len(problems)},
    )
    return {"saved": saved, "problems": problems}


# --- Receivers ------------------------------------------------------------------------------


class ReceiverResolver:
    """Matches receivers to organisations on Counterpart and classifies the rest, remembering
    what it worked out for each receiver within one import."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.by_identifier = {
            ref.upper(): pk
            for pk, ref in Organisation.objects.exclude(iati_identifier="").values_list(
                "pk", "iati_identifier"
            )
        }
        self.names = {
            name.casefold() for name in Organisation.objects.values_list("name", flat=True)
        }
        self.decisions = {
            key: (org_id, receiver_class)
            for key, org_id, receiver_class in ReceiverDecision.objects.filter(
                organisation=organisation
            ).values_list("key", "receiver_organisation_id", "receiver_class")
        }
        self.cache = {}

    def resolve(self, ref, type_code, name, country, activity=""):
        """(organisation id or None, class, key) for one receiver."""
        cache_key = (ref, type_code, name, country, activity)
        found = self.cache.get(cache_key)
        if found is None:
            found = self._resolve(ref, type_code, name, country, activity)
            self.cache[cache_key] = found
        return found

    def _resolve(self, ref, type_code, name, country, activity):
        key = receiver_key(ref, name, activity)
        org_id = self.by_identifier.get(ref.upper()) if ref else None
        if org_id is not None:
            return org_id, ReceiverClass.REVIEW, key
        if key in self.decisions:
            decided_org, decided_class = self.decisions[key]
            return decided_org, decided_class, key
        if name and " ".join(name.split()).casefold() in self.names:
            # The name matches an organisation here: a person confirms whether it is the same.
            return None, ReceiverClass.REVIEW, key
        return None, classify(type_code, ref, country), key


# --- Writing flows --------------------------------------------------------------------------


# Left out of a flow's digest: what a receiver counts as follows from decisions and profiles,
# which change the stored flows themselves (see receiver_decide).
NOT_DIGESTED = frozenset({"receiver_organisation_id", "receiver_class"})
DEFAULTS = {name: None for name in CONTENT_FIELDS} | {
    name: "" for name in (
        "provider_name", "provider_ref", "receiver_name", "receiver_ref", "receiver_type",
        "receiver_key", "country", "source_activity", "receiver_activity", "note",
    )
} | {"intermediaries": [], "own": True, "receiver_class": ReceiverClass.REVIEW}  # fmt: skip


def flow_values(flow: Flow) -> dict:
    """A flow built in memory, as the values the writer stores."""
    values = {name: getattr(flow, name) for name in CONTENT_FIELDS}
    values["country"] = str(values["country"] or "")
    values["source"] = flow.source
    values["source_key"] = flow.source_key
    return values


def _digest(row: tuple) -> str:
    return hashlib.blake2b(repr(row).encode(), digest_size=16).hexdigest()


class FlowWriter:
    """Stores flows in batches, with plain SQL because imports can hold hundreds of thousands
    of them. A flow whose source key is already stored is rewritten only if its digest changed,
    so importing the same file again changes nothing. `watch` names the flows whose outcome
    the report shows.

    Each batch is written in a transaction of its own, so that other people can write between
    two batches (on SQLite only one writer at a time). For an import, the batch's transaction
    also records the import's heartbeat, and `resumed_since` (when its first attempt began)
    lets a resumed import report the flows its interrupted attempt wrote as stored or updated,
    as one uninterrupted run would have."""

    def __init__(self, organisation, funding_import=None, watch=None, heartbeat=None):
        self.organisation = organisation
        self.funding_import = funding_import
        self.heartbeat = heartbeat
        self.resumed_since = (
            funding_import.started_at
            if funding_import is not None and funding_import.attempts > 1
            else None
        )
        self.watch = watch if watch is not None else {}
        self.pending: dict[str, tuple] = {}
        self.outcomes: dict[str, str] = {}
        self.counts = {"stored": 0, "updated": 0, "unchanged": 0}
        fields = [Flow._meta.get_field(name) for name in CONTENT_FIELDS]
        self.columns = [field.column for field in fields]
        intermediaries = Flow._meta.get_field("intermediaries")
        self.index_of_json = CONTENT_FIELDS.index("intermediaries")
        self.prepare_json = lambda value: intermediaries.get_db_prep_save(value, connection)
        self.no_intermediaries = self.prepare_json([])

    def add(self, values: dict) -> None:
        row = tuple(values.get(name, DEFAULTS[name]) for name in CONTENT_FIELDS)
        digest = _digest(
            tuple(
                v for name, v in zip(CONTENT_FIELDS, row, strict=True) if name not in NOT_DIGESTED
            )
        )
        self.pending[values["source_key"]] = (values["source"], row, digest)
        if len(self.pending) >= BATCH:
            self.flush()

    def _prepared(self, row):
        row = list(row)
        chain = row[self.index_of_json]
        row[self.index_of_json] = self.prepare_json(chain) if chain else self.no_intermediaries
        return row

    def flush(self) -> None:
        if not self.pending:
            return
        with transaction.atomic():
            if self.heartbeat is not None:
                self.heartbeat()
            self._write()

    def _stored_before(self, keys) -> dict:
        """The digest of each flow already stored, by key; on a resumed import, with what the
        interrupted attempt did to it."""
        stored = Flow.objects.filter(
            organisation_id=self.organisation.pk, source_key__in=keys
        ).order_by()
        if self.resumed_since is None:
            return dict(stored.values_list("source_key", "digest"))
        import_id = self.funding_import.pk
        return {
            key: (digest, "stored" if created >= self.resumed_since else "updated")
            if funding_import_id == import_id
            else digest
            for key, digest, funding_import_id, created in stored.values_list(
                "source_key", "digest", "funding_import_id", "created_at"
            )
        }

    def _write(self) -> None:
        organisation_id = self.organisation.pk
        import_id = self.funding_import.pk if self.funding_import else None
        existing = self._stored_before(list(self.pending))
        now = timezone.now()
        create, update = [], []
        resumed = 0
        for key, (source, row, digest) in self.pending.items():
            old = existing.get(key)
            if isinstance(old, tuple):
                # Written by an interrupted attempt of this import: reported as it was then.
                old, earlier = old
                if old == digest:
                    self.counts[earlier] += 1
                    resumed += 1
                    if key in self.watch:
                        self.outcomes[key] = earlier
                    continue
            if old is None:
                create.append(
                    (
                        organisation_id,
                        source,
                        key,
                        import_id,
                        *self._prepared(row),
                        digest,
                        now,
                        now,
                    )
                )
                outcome = "stored"
            elif old != digest:
                update.append((*self._prepared(row), digest, import_id, now, organisation_id, key))
                outcome = "updated"
            else:
                outcome = "unchanged"
            if key in self.watch:
                self.outcomes[key] = outcome
        table = connection.ops.quote_name(Flow._meta.db_table)
        with connection.cursor() as cursor:
            if create:
                columns = ["organisation_id", "source", "source_key", "funding_import_id",
                           *self.columns, "digest", "created_at", "updated_at"]  # fmt: skip
                names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (model names)
                cursor.executemany(sql, create)
            if update:
                assignments = ", ".join(
                    f"{column} = %s"
                    for column in [*self.columns, "digest", "funding_import_id", "updated_at"]
                )
                where = "organisation_id = %s AND source_key = %s"
                sql = f"UPDATE {table} SET {assignments} WHERE {where}"  # noqa: S608 (model names)
                cursor.executemany(sql, update)
        self.counts["stored"] += len(create)
        self.counts["updated"] += len(update)
        self.counts["unchanged"] += len(self.pending) - len(create) - len(update) - resumed
        self.pending = {}


class Report:
    """The lines of an import's report, kept to a readable length, and its counts."""

    def __init__(self):
        self.lines = []
        self.left_out = 0
        self.counts = {"read": 0, "skipped": 0, "review": 0}
        self.pending = {}

    def line(self, where, outcome, reason="", params=None) -> int | None:
        """Add a line; returns its index, or None once the report is full."""
        if len(self.lines) < MAX_REPORT_LINES:
            self.lines.append([str(where), outcome, reason, params or {}])
            return len(self.lines) - 1
        self.left_out += 1
        return None

    def flow(self, source_key, where, review, note=None):
        """A line for a flow; its outcome is known once the flow is written."""
        reason, params = note or ("", {})
        index = self.line(where, "stored", reason, params)
        if index is not None:
            self.pending[source_key] = (index, review)

    def settle(self, outcomes: dict):
        for key, (index, review) in self.pending.items():
            outcome = outcomes.get(key, "stored")
            if review and outcome != "unchanged":
                outcome = "review"
            self.lines[index][1] = outcome

    def skip(self, where, reason, params=None):
        self.counts["skipped"] += 1
        self.line(where, "skipped", reason, params)


# --- IATI -----------------------------------------------------------------------------------


def _own_activity(activity, identifier: str) -> bool:
    """Whether the organisation itself reports this activity."""
    if not identifier or not activity.reporting:
        return True
    return activity.reporting[0].ref.upper() == identifier


def _iati_flows(activity, organisation, resolver, report, identifier):
    """The flows one activity passes on, reported line by line."""
    where = activity.identifier or "?"
    if not activity.identifier:
        report.skip(where, "no_identifier")
        return
    if len(activity.reporting) > 1:
        report.skip(where, "two_reporting_orgs")
        return
    own = _own_activity(activity, identifier)
    reporting = activity.reporting[0] if activity.reporting else None
    if not own:
        report.line(where, "note", "not_ours", {"name": reporting.name or reporting.ref})
    country_default = activity.countries[0] if len(activity.countries) == 1 else ""
    implementer = activity.implementing[0] if len(activity.implementing) == 1 else None
    for tx in activity.transactions:
        label = f"{where} #{tx.position}"
        if tx.type_code in iati.INCOMING_CODES:
            if tx.provider is not None and tx.provider.activity_id:
                yield (
                    activity.identifier[:200],
                    (tx.provider.activity_id[:200], tx.provider.ref[:200]),
                )
            report.skip(label, "incoming", {"code": tx.type_code})
            continue
        if tx.type_code in iati.COMMITMENT_CODES:
            kind = FlowKind.COMMITMENT
        elif tx.type_code in iati.DISBURSEMENT_CODES:
            kind = FlowKind.DISBURSEMENT
        else:
            report.skip(label, "other_type", {"code": tx.type_code or "–"})
            continue
        receivers = [r for r in tx.receivers if r.ref or r.name or r.activity_id]
        note = None
        if len(receivers) > 1:
            report.skip(label, "two_receivers")
            continue
        if receivers:
            receiver = receivers[0]
        elif implementer is not None and (implementer.ref or implementer.name):
            receiver = implementer
            note = ("implementer", {"name": implementer.name or implementer.ref})
        else:
            report.skip(label, "no_receiver")
            continue
        if tx.amount is None:
            # A negative amount is a reversal, a repayment or a reduced commitment: kept.
            report.skip(label, "not_a_number", {"value": tx.raw_amount[:40]})
            continue
        if tx.date is None:
            report.skip(label, "bad_date")
            continue
        currency = tx.currency or activity.default_currency
        if not currency:
            report.skip(label, "no_currency")
            continue
        if len(currency) != 3 or not currency.isalpha():
            report.skip(label, "bad_currency", {"value": currency[:20]})
            continue
        country = tx.country or country_default
        if country not in _country_codes():
            country = ""
        org_id, receiver_class, key = resolver.resolve(
            receiver.ref, receiver.type, receiver.name, country, receiver.activity_id
        )
        humanitarian = activity.humanitarian if not tx.humanitarian_raw else tx.humanitarian
        if tx.humanitarian_raw and tx.humanitarian is None:
            report.line(label, "note", "humanitarian_flag", {"value": tx.humanitarian_raw[:20]})
        provider = tx.provider
        if provider is None or not (provider.name or provider.ref):
            provider = reporting
        flow = dict(
            kind=kind,
            source=FlowSource.IATI,
            source_key=f"iati:{activity.identifier}#{tx.position}"[:300],
            date=tx.date,
            value_date=tx.value_date if tx.value_date != tx.date else None,
            amount=tx.amount.quantize(Decimal("0.01")),
            currency=currency,
            provider_name=provider.name[:300] if provider else "",
            provider_ref=provider.ref[:200] if provider else "",
            receiver_organisation_id=org_id,
            receiver_name=receiver.name[:300],
            receiver_ref=receiver.ref[:200],
            receiver_type=receiver.type[:8],
            receiver_class=receiver_class,
            receiver_key=key[:300],
            country=country,
            humanitarian=humanitarian,
            own=own,
            source_activity=activity.identifier[:200],
            receiver_activity=receiver.activity_id[:200],
        )
        if _waits_for_review(flow):
            report.counts["review"] += 1
        yield flow, label, note


def _import_iati(funding_import, path, report: Report, heartbeat=None):
    organisation = funding_import.organisation
    identifier = organisation.iati_identifier.upper()
    resolver = ReceiverResolver(organisation)
    writer = FlowWriter(organisation, funding_import, watch=report.pending, heartbeat=heartbeat)
    links: set[tuple] = set()
    versions = []
    for activity in iati.read_activities(path, on_version=versions.append):
        report.counts["read"] += 1
        if heartbeat is not None and report.counts["read"] % 5000 == 0:
            heartbeat()  # also while activities pass no money on, and no batch is written
        for item in _iati_flows(activity, organisation, resolver, report, identifier):
            if isinstance(item, tuple) and len(item) == 2:
                links.add((item[0], *item[1]))
                continue
            flow, label, note = item
            report.flow(flow["source_key"], label, _waits_for_review(flow), note)
            writer.add(flow)
            if len(links) >= BATCH:
                _store_links(organisation, links)
    writer.flush()
    _store_links(organisation, links)
    report.counts["version"] = versions[0] if versions else ""
    return writer


def _waits_for_review(flow: dict) -> bool:
    return flow.get("receiver_organisation_id") is None and flow["receiver_class"] == (
        ReceiverClass.REVIEW
    )


def _store_links(organisation, links: set):
    """Remember which activity received money from which (`provider-activity-id`)."""
    if links:
        table = connection.ops.quote_name(ActivityLink._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            columns = "organisation_id, activity, provider_activity, provider_ref"
            conflict = "ON CONFLICT (organisation_id, activity, provider_activity) DO NOTHING"
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s) {conflict}"  # noqa: S608
            cursor.executemany(sql, [(organisation.pk, *link) for link in links])
        links.clear()


def flows_link_chains(organisation, heartbeat=None) -> int:
    """Point each IATI flow to the earlier leg whose receiver passed its money on, and return
    how many links were added. A flow continues an earlier one when that leg names its activity
    as the receiver's activity, or when its activity says it received money from the activity
    of a leg paid to the organisation that reports it."""
    flows = Flow.objects.filter(organisation=organisation, source=FlowSource.IATI).order_by()
    to_activity = {}
    for pk, activity, kind in (
        flows.exclude(receiver_activity="")
        .order_by("pk")
        .values_list("pk", "receiver_activity", "kind")
        .iterator(chunk_size=5000)
    ):
        to_activity.setdefault((activity, kind), pk)
    by_link = {}
    for activity, provider_activity in (
        ActivityLink.objects.filter(organisation=organisation)
        .values_list("activity", "provider_activity")
        .iterator(chunk_size=5000)
    ):
        by_link.setdefault(activity, []).append(provider_activity)
    paid_from = {}
    if by_link:
        sources = {a for providers in by_link.values() for a in providers}
        for pk, activity, kind, ref in (
            flows.exclude(receiver_ref="")
            .order_by("pk")
            .values_list("pk", "source_activity", "kind", "receiver_ref")
            .iterator(chunk_size=5000)
        ):
            if activity in sources:
                paid_from.setdefault((activity, kind, ref.upper()), pk)
    if not to_activity and not paid_from:
        return 0
    targets = {activity for activity, _kind in to_activity} | set(by_link)
    changed = []
    for pk, activity, kind, provider_ref in (
        flows.filter(parent__isnull=True)
        .values_list("pk", "source_activity", "kind", "provider_ref")
        .iterator(chunk_size=5000)
    ):
        if activity not in targets:
            continue
        parent = to_activity.get((activity, kind))
        if parent is None:
            for provider_activity in sorted(by_link.get(activity, ())):
                parent = paid_from.get((provider_activity, kind, provider_ref.upper()))
                if parent is not None:
                    break
        if parent is not None and parent != pk:
            changed.append((parent, pk))
    table = connection.ops.quote_name(Flow._meta.db_table)
    sql = f"UPDATE {table} SET parent_id = %s WHERE id = %s"  # noqa: S608 (model names)
    for start in range(0, len(changed), BATCH * 5):
        # A transaction per batch, so that others can write in between.
        with transaction.atomic(), connection.cursor() as cursor:
            if heartbeat is not None:
                heartbeat()
            cursor.executemany(sql, changed[start : start + BATCH * 5])
    return len(changed)


def _unreadable(error: iati.UnreadableFile) -> tuple[str, dict]:
    """The reason code and its values for a file that could not be read."""
    code = error.args[0]
    params = error.args[1] if len(error.args) > 1 else {}
    if isinstance(params, int):
        params = {"line": params}
    if code == "too_big":
        params = {"limit": max_upload_bytes() // MB}
    return code, params


def _unreadable_text(error: iati.UnreadableFile) -> str:
    from .report import reason_text

    return reason_text(*_unreadable(error))


@transaction.atomic
def funding_import_create(*, actor, organisation, kind, uploaded) -> FundingImport:
    """Keep the uploaded file and queue its import; the report follows when it has run."""
    require_role(actor, organisation, Role.EDITOR)
    if uploaded.size > max_upload_bytes():
        raise ValidationError(_unreadable_text(iati.UnreadableFile("too_big")))
    digest = hashlib.sha256()
    name = f"funding-imports/{uuid.uuid4().hex}.{'xml' if kind == ImportKind.IATI else 'csv'}"
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stored = default_storage.save(name, uploaded)
    record = FundingImport.objects.create(
        organisation=organisation,
        kind=kind,
        filename=os.path.basename(uploaded.name or "")[:255] or "upload",
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        path=stored,
    )
    audit_record(
        actor=actor,
        action="funding_import_create",
        obj=record,
        organisation=organisation,
        after={"kind": kind, "filename": record.filename, "sha256": record.sha256},
    )
    from .tasks import run_funding_import

    transaction.on_commit(lambda: run_funding_import.enqueue(record.pk))
    return record


MAX_ATTEMPTS = 2  # a killed import is queued again once, then marked failed


class ImportStopped(Exception):
    """This attempt no longer owns its import: a later attempt took it over, or it was marked
    failed as interrupted."""


def stale_after() -> timedelta:
    """How long an import may show no progress before it counts as interrupted."""
    return timedelta(minutes=getattr(settings, "FUNDING_IMPORT_STALE_MINUTES", 5))


def _claim(import_id: int, task_id: str):
    """The import and whether this attempt may read it; counts the attempt."""
    with transaction.atomic():
        record = (
            FundingImport.objects.select_for_update(of=("self",))
            .select_related("organisation", "uploaded_by")
            .get(pk=import_id)
        )
        now = timezone.now()
        if record.status != ImportStatus.WAITING or (
            record.heartbeat_at is not None and now - record.heartbeat_at < stale_after()
        ):
            # Done, failed, or being read by another attempt.
            return record, False
        record.attempts += 1
        record.started_at = record.started_at or now
        record.heartbeat_at = now
        record.task_id = task_id[:64]
        record.save(update_fields=["attempts", "started_at", "heartbeat_at", "task_id"])
    return record, True


def _heartbeat(record):
    """What each batch calls inside its transaction: records progress, and stops the attempt
    when the import is no longer its own."""

    def beat():
        owned = FundingImport.objects.filter(
            pk=record.pk, status=ImportStatus.WAITING, attempts=record.attempts
        ).update(heartbeat_at=timezone.now())
        if not owned:
            raise ImportStopped

    return beat


def funding_import_run(import_id: int, task_id: str = "") -> FundingImport:
    """Read one uploaded file. The whole file is checked first: a file that cannot be read as
    a whole stores nothing. Its flows are then written in batches, each in a short transaction
    that also records the import's heartbeat, so that other people can write in between and an
    interrupted import can be recognised (funding_imports_recover). Importing again is
    idempotent, so a resumed import completes what an interrupted one began."""
    record, claimed = _claim(import_id, task_id)
    if not claimed:
        return record
    beat = _heartbeat(record)
    report = Report()
    try:
        if not record.path or not default_storage.exists(record.path):
            raise iati.UnreadableFile("missing_file")
        is_iati = record.kind == ImportKind.IATI
        with default_storage.open(record.path, "rb") as handle:
            (iati.check_file if is_iati else _check_csv)(handle)
        read = _import_iati if is_iati else _import_csv
        with default_storage.open(record.path, "rb") as handle:
            writer = read(record, handle, report, heartbeat=beat)
        report.settle(writer.outcomes)
        counts = {**report.counts, **writer.counts}
        if is_iati:
            counts["chained"] = flows_link_chains(record.organisation, heartbeat=beat)
        _finish(
            record,
            ImportStatus.DONE,
            counts=counts,
            lines=report.lines,
            lines_left_out=report.left_out,
        )
    except iati.UnreadableFile as error:
        code, params = _unreadable(error)
        with contextlib.suppress(ImportStopped):
            _fail(record, code, params)
    except ImportStopped:
        # Another attempt or the recovery owns the import and its file now.
        record.refresh_from_db()
        return record
    except Exception:
        # A fault of ours or of the database: the import ends as failed, not waiting for
        # good; the task records the error.
        with contextlib.suppress(ImportStopped, DatabaseError):
            _fail(record, "error")
        raise
    # A stop asked of the worker (BaseException) leaves the import waiting: it is resumed.
    return record


def _fail(record, code, params=None):
    _finish(
        record,
        ImportStatus.FAILED,
        error=code,
        counts={"params": params or {}},
        lines=[],
        lines_left_out=0,
    )


def _finish(record, status, **fields):
    """End the import, if it is still this attempt's, and delete its file."""
    path = record.path
    with transaction.atomic():
        current = (
            FundingImport.objects.select_for_update()
            .filter(pk=record.pk)
            .values_list("status", "attempts")
            .first()
        )
        if current != (ImportStatus.WAITING, record.attempts):
            raise ImportStopped
        for name, value in fields.items():
            setattr(record, name, value)
        record.status = status
        record.finished_at = timezone.now()
        record.path = ""
        record.save()
        audit_record(
            actor=record.uploaded_by,
            action="funding_import_finish",
            obj=record,
            organisation=record.organisation,
            after={"status": status, "error": record.error, **record.counts},
        )
    if path:
        default_storage.delete(path)


def import_stalled(record) -> bool:
    """Whether an import began but shows no progress for longer than stale_after()."""
    return (
        record.status == ImportStatus.WAITING
        and record.heartbeat_at is not None
        and timezone.now() - record.heartbeat_at > stale_after()
    )


def _tasks_run_elsewhere() -> bool:
    """Whether queued tasks run in a worker, rather than at once in the caller."""
    from django_tasks.backends.immediate import ImmediateBackend

    from .tasks import run_funding_import

    return not isinstance(run_funding_import.get_backend(), ImmediateBackend)


def _task_interrupted(task_id: str) -> None:
    """Mark the task result of an interrupted attempt as failed: its worker cannot any more."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        task_uuid = uuid.UUID(task_id)
    except ValueError:
        return  # no task, or not one of the database backend
    DBTaskResult.objects.filter(id=task_uuid, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{__name__}.ImportStopped",
        traceback="The worker stopped while it read this funding file.",
    )


def funding_imports_recover(*, import_ids=None, run_here=True) -> dict:
    """Imports that began and then showed no progress for stale_after(): the process that read
    them was killed (a restart, out of memory, a time limit). Each is queued again once while
    its file is there, and otherwise marked failed as interrupted, with its file deleted. The
    task result of the interrupted attempt is marked failed.

    `run_here` is False where the import must not run in the caller (a page view): with the
    immediate tasks backend a queued import would run at once, so it is marked failed instead.
    Returns how many imports were queued again and how many failed."""
    from .tasks import run_funding_import

    cutoff = timezone.now() - stale_after()
    stalled = FundingImport.objects.filter(status=ImportStatus.WAITING, heartbeat_at__lt=cutoff)
    if import_ids is not None:
        stalled = stalled.filter(pk__in=import_ids)
    done = {"requeued": 0, "failed": 0}
    for pk in list(stalled.values_list("pk", flat=True)):
        with transaction.atomic():
            record = (
                FundingImport.objects.select_for_update(of=("self",))
                .select_related("organisation", "uploaded_by")
                .filter(pk=pk, status=ImportStatus.WAITING, heartbeat_at__lt=cutoff)
                .first()
            )
            if record is None:
                continue
            _task_interrupted(record.task_id)
            retry = (
                record.attempts < MAX_ATTEMPTS
                and bool(record.path)
                and default_storage.exists(record.path)
                and (run_here or _tasks_run_elsewhere())
            )
            if retry:
                record.heartbeat_at = None
                record.save(update_fields=["heartbeat_at"])
                audit_record(
                    actor=None,
                    action="funding_import_resume",
                    obj=record,
                    organisation=record.organisation,
                    after={"attempts": record.attempts},
                )
                transaction.on_commit(functools.partial(run_funding_import.enqueue, pk))
                done["requeued"] += 1
            else:
                _fail(record, "interrupted")
                done["failed"] += 1
    return done


# --- CSV ------------------------------------------------------------------------------------

YES = frozenset({"yes", "y", "true", "1", "oui", "sí", "si", "نعم"})
NO = frozenset({"no", "n", "false", "0", "non", "لا"})
KINDS = {
    "commitment": FlowKind.COMMITMENT, "c": FlowKind.COMMITMENT, "2": FlowKind.COMMITMENT,
    "disbursement": FlowKind.DISBURSEMENT, "d": FlowKind.DISBURSEMENT,
    "3": FlowKind.DISBURSEMENT,
}  # fmt: skip


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _parse_decimal(raw: str) -> Decimal | None:
    raw = raw.strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    if not raw or "," in raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class RowProblem(Exception):
    pass


def _yes_no(cells, column):
    raw = cells.get(column, "").strip().lower()
    if not raw:
        return None
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise RowProblem("bad_yes_no", {"value": cells[column][:40], "column": column})


def _csv_flow(cells, resolver) -> Flow:
    for column, limit in (
        ("receiver", 300),
        ("provider", 300),
        ("note", 500),
        ("receiver_iati_identifier", 200),
        ("reference", 200),
    ):
        if len(cells.get(column, "")) > limit:
            raise RowProblem("too_long", {"column": column})
    kind = KINDS.get(cells["kind"].strip().lower())
    if kind is None:
        raise RowProblem("bad_kind", {"value": cells["kind"][:40]})
    when = _parse_date(cells["date"])
    if when is None:
        raise RowProblem("bad_date", {})
    amount = _parse_decimal(cells["amount"])
    if amount is None:
        # A negative amount is a reversal, a repayment or a reduced commitment: kept.
        raise RowProblem("not_a_number", {"value": cells["amount"][:40]})
    currency = cells["currency"].strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise RowProblem("bad_currency", {"value": cells["currency"][:20]})
    country = cells.get("country", "").strip().upper()
    if country and country not in countries:
        raise RowProblem("bad_country", {"value": cells["country"][:20]})
    rate = None
    if cells.get("overhead_rate", "").strip():
        rate = _parse_decimal(cells["overhead_rate"].rstrip("% "))
        if rate is None or not 0 <= rate <= 100:
            raise RowProblem("bad_rate", {"value": cells["overhead_rate"][:20]})
    name = " ".join(cells["receiver"].split())
    ref = cells.get("receiver_iati_identifier", "").strip()
    if not name and not ref:
        raise RowProblem("no_receiver_name", {})
    org_id, receiver_class, key = resolver.resolve(
        ref, cells.get("receiver_type", "").strip(), name, country
    )
    chain = [" ".join(n.split())[:300] for n in cells.get("intermediaries", "").split(";")]
    return Flow(
        kind=kind,
        source=FlowSource.CSV,
        date=when,
        amount=amount.quantize(Decimal("0.01")),
        currency=currency,
        provider_name=" ".join(cells.get("provider", "").split()),
        receiver_organisation_id=org_id,
        receiver_name=name,
        receiver_ref=ref,
        receiver_type=cells.get("receiver_type", "").strip()[:8],
        receiver_class=receiver_class,
        receiver_key=key[:300],
        country=country,
        humanitarian=_yes_no(cells, "humanitarian"),
        flexible=_yes_no(cells, "flexible"),
        multi_year=_yes_no(cells, "multi_year"),
        overhead_rate=rate,
        intermediaries=[n for n in chain if n],
        note=" ".join(cells.get("note", "").split()),
    )


def _row_key(cells) -> str:
    reference = cells.get("reference", "").strip()
    if reference:
        return "csv:ref:" + reference
    content = "\x1f".join(cells.get(name, "").strip() for name in CSV_COLUMNS)
    return "csv:row:" + hashlib.sha256(content.encode()).hexdigest()


def _check_csv(handle) -> None:
    """Read the whole CSV file once, keeping nothing, and raise UnreadableFile when it cannot
    be read as a whole, before anything from it is stored."""
    header, rows = _read_csv(handle)
    _check_columns(header, CSV_REQUIRED)
    for _row in rows:
        pass


def _import_csv(funding_import, handle, report: Report, heartbeat=None):
    organisation = funding_import.organisation
    header, rows = _read_csv(handle)
    _check_columns(header, CSV_REQUIRED)
    resolver = ReceiverResolver(organisation)
    writer = FlowWriter(organisation, funding_import, watch=report.pending, heartbeat=heartbeat)
    seen = set()
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        report.counts["read"] += 1
        cells = {name: (row[i] if i < len(row) else "") for i, name in enumerate(header)}
        try:
            flow = _csv_flow(cells, resolver)
        except RowProblem as problem:
            report.skip(number, *problem.args)
            continue
        flow.source_key = _row_key(cells)[:300]
        if flow.source_key in seen:
            report.skip(number, "repeated")
            continue
        seen.add(flow.source_key)
        values = flow_values(flow)
        review = _waits_for_review(values)
        report.counts["review"] += review
        report.flow(flow.source_key, number, review)
        writer.add(values)
    writer.flush()
    return writer


def csv_template() -> str:
    """The CSV template the flows page offers, with one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerow([
        "2026-001", "2026-03-31", "disbursement", "", "Example Women's Association",
        "", "24", "KE", "25000.00", "USD", "yes", "", "yes", "no", "7", "",
    ])  # fmt: skip
    return out.getvalue()


# --- Agreements -----------------------------------------------------------------------------


@transaction.atomic
def flows_derive_from_agreements(*, actor, organisation) -> dict:
    """A commitment flow for each agreement with an amount in which the organisation is on
    the international side, to each organisation on the local side. Deriving again updates the
    same flows."""
    require_role(actor, organisation, Role.EDITOR)
    parties = (
        Party.objects.filter(organisation=organisation, side=Side.INTERNATIONAL)
        .select_related("partnership__agreement")
        .prefetch_related(
            "partnership__agreement__intermediaries__organisation",
            Prefetch(
                "partnership__parties",
                queryset=Party.objects.filter(side=Side.LOCAL).select_related("organisation"),
                to_attr="local_parties",
            ),
        )
    )
    writer = FlowWriter(organisation)
    skipped = []
    for party in parties:
        partnership = party.partnership
        agreement = getattr(partnership, "agreement", None)
        if agreement is None or agreement.amount is None:
            skipped.append((partnership, "no_amount"))
            continue
        if partnership.start_date is None:
            skipped.append((partnership, "no_start"))
            continue
        receivers = partnership.local_parties
        if not receivers:
            skipped.append((partnership, "no_partner"))
            continue
        share = (agreement.amount / len(receivers)).quantize(Decimal("0.01"))
        chain = [i.organisation.name for i in agreement.intermediaries.all()]
        for receiver in receivers:
            writer.add(
                flow_values(
                    Flow(
                        kind=FlowKind.COMMITMENT,
                        source=FlowSource.AGREEMENT,
                        source_key=f"agreement:{partnership.pk}:{receiver.organisation_id}",
                        partnership=partnership,
                        date=partnership.start_date,
                        amount=share,
                        currency=agreement.currency,
                        provider_name=organisation.name,
                        receiver_organisation=receiver.organisation,
                        receiver_name=receiver.organisation.name,
                        receiver_class=ReceiverClass.REVIEW,
                        receiver_key=receiver_key(
                            receiver.organisation.iati_identifier, receiver.organisation.name
                        ),
                        country=(
                            partnership.countries[0].code
                            if len(partnership.countries) == 1
                            else receiver.organisation.country
                        ),
                        flexible=(
                            None
                            if not agreement.funding_type
                            else agreement.funding_type == FundingType.FLEXIBLE
                        ),
                        multi_year=agreement.multi_year,
                        overhead_rate=agreement.overhead_rate,
                        intermediaries=chain,
                        note="",
                    )
                )
            )
    writer.flush()
    audit_record(
        actor=actor,
        action="flow_derive",
        organisation=organisation,
        after={**writer.counts, "skipped": len(skipped)},
    )
    return {**writer.counts, "skipped": skipped}


# --- Flows by hand --------------------------------------------------------------------------


def _check_manual(flow):
    if flow.source != FlowSource.MANUAL:
        raise ValidationError(
            _("This flow came from a file or an agreement; change it there and bring it in again.")
        )


def _fill(flow, data):
    for name in FLOW_FORM_FIELDS:
        if name in data:
            setattr(flow, name, data[name])
    organisation = flow.receiver_organisation
    if organisation is not None:
        flow.receiver_name = organisation.name
        flow.receiver_ref = organisation.iati_identifier
    flow.receiver_key = receiver_key(flow.receiver_ref, flow.receiver_name)[:300]
    flow.full_clean(exclude=["organisation", "source_key"])


@transaction.atomic
def flow_create(*, actor, organisation, data) -> Flow:
    require_role(actor, organisation, Role.EDITOR)
    flow = Flow(
        organisation=organisation,
        source=FlowSource.MANUAL,
        source_key=f"manual:{uuid.uuid4().hex}",
    )
    _fill(flow, data)
    flow.save()
    audit_record(
        actor=actor,
        action="flow_create",
        obj=flow,
        organisation=organisation,
        after=snapshot(flow, FLOW_FORM_FIELDS),
    )
    return flow


@transaction.atomic
def flow_update(*, actor, flow, data) -> Flow:
    require_role(actor, flow.organisation, Role.EDITOR)
    _check_manual(flow)
    before = snapshot(flow, FLOW_FORM_FIELDS)
    _fill(flow, data)
    flow.save()
    audit_record(
        actor=actor,
        action="flow_update",
        obj=flow,
        organisation=flow.organisation,
        before=before,
        after=snapshot(flow, FLOW_FORM_FIELDS),
    )
    return flow


@transaction.atomic
def flow_delete(*, actor, flow) -> None:
    require_role(actor, flow.organisation, Role.EDITOR)
    if flow.source == FlowSource.IATI:
        raise ValidationError(
            _("Flows from an IATI file are kept as the file says; import a corrected file.")
        )
    audit_record(
        actor=actor,
        action="flow_delete",
        obj=flow,
        organisation=flow.organisation,
        before=snapshot(flow, FLOW_FORM_FIELDS),
    )
    flow.delete()


# --- Receivers waiting for a person ---------------------------------------------------------


@transaction.atomic
def receiver_decide(
    *, actor, organisation, key, name, receiver_organisation=None, receiver_class=None
) -> int:
    """Say what a receiver is: an organisation on Counterpart, or local, refugee-led or not
    local. The decision applies to its flows now and is remembered for later imports. Returns
    how many flows it changed."""
    require_role(actor, organisation, Role.EDITOR)
    if receiver_organisation is None and receiver_class not in (
        ReceiverClass.LOCAL,
        ReceiverClass.REFUGEE_LED,
        ReceiverClass.NOT_LOCAL,
    ):
        raise ValidationError(_("Choose what this receiver is."))
    # Only imported flows follow the decision; flows by hand and from agreements say
    # themselves who received the money.
    imported = Flow.objects.filter(
        organisation=organisation, receiver_key=key, source__in=(FlowSource.CSV, FlowSource.IATI)
    )
    if not imported.exists():
        raise ValidationError(_("No flow of ours goes to this receiver."))
    found = ReceiverDecision.objects.filter(organisation=organisation, key=key).first()
    before = snapshot(found, ("receiver_organisation", "receiver_class")) if found else None
    decision = found or ReceiverDecision(organisation=organisation, key=key)
    decision.name = name[:300]
    decision.receiver_organisation = receiver_organisation
    decision.receiver_class = receiver_class or ReceiverClass.REVIEW
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    decision.save()
    changed = imported.update(
        receiver_organisation=receiver_organisation, receiver_class=decision.receiver_class
    )
    audit_record(
        actor=actor,
        action="receiver_decide",
        obj=decision,
        organisation=organisation,
        before=before,
        after={
            **snapshot(decision, ("receiver_organisation", "receiver_class")),
            "key": key,
            "flows": changed,
        },
    )
    return changed
