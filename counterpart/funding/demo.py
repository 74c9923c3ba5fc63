"""Funding in the demonstration: Horizon's agreements as commitments, payments recorded by
hand, exchange rates, and a small IATI file whose regional receiver waits for a decision."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from . import services

RATES = [("EUR", "2024-01-01", "1.08"), ("GBP", "2024-01-01", "1.27"),
         ("KES", "2024-01-01", "0.0077"), ("UGX", "2024-01-01", "0.00027")]  # fmt: skip

# day, amount, currency, receiver key or name, class, flexible, multi-year, overhead, chain
PAYMENTS = [
    (date(2025, 4, 10), "60000", "USD", "kalobeyei", None, True, True, "12", []),
    (date(2025, 10, 10), "60000", "USD", "kalobeyei", None, True, True, "12", []),
    (date(2025, 5, 2), "5200000", "KES", "turkana", None, False, False, "0", ["horizon_ke"]),
    (date(2025, 6, 15), "95000", "USD", "horizon_ke", None, False, True, None, []),
    (date(2025, 7, 1), "40000", "EUR", "Savanna Evaluation Consultants", "not_local",
     False, False, None, []),
    (date(2025, 8, 20), "90000000", "UGX", "nakivale", None, True, False, "7",
     ["rdf", "isingiro"]),
    (date(2024, 9, 1), "45000", "USD", "kalobeyei", None, False, False, "0", []),
    (date(2024, 11, 5), "150000", "USD", "horizon_ke", None, False, False, None, []),
]  # fmt: skip

IATI = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
  <iati-activity default-currency="USD" humanitarian="1">
    <iati-identifier>XM-DAC-DEMO-HORIZON-EA-2025</iati-identifier>
    <reporting-org ref="XM-DAC-DEMO-HORIZON" type="21">
      <narrative>Horizon Relief International</narrative></reporting-org>
    <recipient-country code="UG"/>
    <transaction><transaction-type code="3"/><transaction-date iso-date="2025-09-30"/>
      <value>35000</value>
      <receiver-org ref="XR-EAN-0042" type="23"><narrative>East Africa Refugee Network</narrative>
      </receiver-org></transaction>
    <transaction><transaction-type code="3"/><transaction-date iso-date="2025-11-15"/>
      <value>28000</value>
      <receiver-org type="24"><narrative>Bidi Bidi Community Radio</narrative></receiver-org>
    </transaction>
  </iati-activity>
</iati-activities>
"""


def load_funding(people, organisations):
    horizon = organisations["horizon"]
    admin = next(u for u in people.values() if u.email.startswith("amina."))
    editor = next(u for u in people.values() if u.email.startswith("david."))
    services.funding_settings_update(
        actor=admin, organisation=horizon, currency="USD", fiscal_year_start=1
    )
    for currency, valid_from, rate in RATES:
        services.exchange_rate_save(
            actor=editor,
            organisation=horizon,
            currency=currency,
            valid_from=date.fromisoformat(valid_from),
            rate=Decimal(rate),
        )
    # The denominator of the Grand Bargain local share: all humanitarian funding of the year.
    services.humanitarian_funding_save(
        actor=editor,
        organisation=horizon,
        year=2025,
        amount=Decimal("4800000"),
        currency="USD",
        source_note="Audited accounts 2025, humanitarian expenditure",
    )
    services.flows_derive_from_agreements(actor=editor, organisation=horizon)
    for day, amount, currency, receiver, kind, flexible, multi, overhead, chain in PAYMENTS:
        known = organisations.get(receiver)
        services.flow_create(
            actor=editor,
            organisation=horizon,
            data={
                "kind": "disbursement",
                "date": day,
                "amount": Decimal(amount),
                "currency": currency,
                "receiver_organisation": known,
                "receiver_name": "" if known else receiver,
                "receiver_class": kind or "local",
                "country": known.country if known else "KE",
                "humanitarian": True,
                "flexible": flexible,
                "multi_year": multi,
                "overhead_rate": Decimal(overhead) if overhead else None,
                "intermediaries": [organisations[k].name for k in chain],
            },
        )
    record = services.funding_import_create(
        actor=editor,
        organisation=horizon,
        kind="iati",
        uploaded=SimpleUploadedFile("horizon-east-africa-2025.xml", IATI.encode()),
    )
    services.funding_import_run(record.pk)
