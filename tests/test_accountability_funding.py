"""The public accountability page shows the localisation figures per year, and names no
receiver."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from counterpart.funding.services import humanitarian_funding_save
from counterpart.organisations.services import organisation_update
from tests.conftest import record_flow


def test_funding_figures_per_year_without_names(world, client):
    organisation_update(
        actor=world.intl_admin, organisation=world.intl, publish_accountability=True
    )
    url = reverse("accountability_page", args=[world.intl.pk])
    assert "No funding figures have been recorded yet." in client.get(url).content.decode()
    record_flow(world, date(2025, 5, 1), "30000", receiver_organisation=world.local, flexible=True)
    record_flow(world, date(2025, 6, 1), "70000", receiver_name="Global Consultants",
          receiver_class="not_local", multi_year=True)  # fmt: skip
    record_flow(world, date(2024, 6, 1), "10000", receiver_name="Turkana Peace Group",
          receiver_class="local", intermediaries=["One", "Two"])  # fmt: skip
    page = client.get(url).content.decode()
    row = page[page.index('<th scope="row">2025</th>') :].split("</tr>")[0]
    cells = [" ".join(c.split("</td>")[0].split()) for c in row.split("<td>")[1:]]
    # Grand Bargain, paid, local, as directly as possible, refugee-led, flexible, multi-year.
    # No humanitarian funding entered: no Grand Bargain share, and the page says what is missing.
    missing = (
        '<span class="muted">not shown: the humanitarian funding of the year is not entered</span>'
    )
    assert cells[0] == missing
    assert cells[1] == "100,000"
    # Shares of the money passed to partners: no target verdict on any of them.
    assert cells[2:] == ["30.0 %", "30.0 %", "30.0 %", "30.0 %", "70.0 %"]
    assert "target reached" not in page
    earlier = page[page.index('<th scope="row">2024</th>', page.index("reaches local")) :]
    earlier_cells = [" ".join(c.split("</td>")[0].split()) for c in
                     earlier.split("</tr>")[0].split("<td>")[1:]]  # fmt: skip
    assert earlier_cells[2:4] == ["100.0 %", "0.0 %"]  # local, but through two intermediaries
    for name in (world.local.name, "Global Consultants", "Turkana Peace Group"):
        assert name not in page
    # Grand Bargain 2.4: 30 000 to local actors of 200 000 humanitarian funding is 15 %, below.
    humanitarian_funding_save(
        actor=world.intl_editor, organisation=world.intl, year=2025,
        amount=Decimal("200000"), currency="USD",
    )  # fmt: skip
    page = client.get(url).content.decode()
    row = page[page.index('<th scope="row">2025</th>') :].split("</tr>")[0]
    first = " ".join(row.split("<td>")[1].split("</td>")[0].split())
    assert first == '15.0 % <span class="status status-overdue">below the target</span>'
