"""The public accountability page shows the localisation figures per year, and names no
receiver."""

from datetime import date

from django.urls import reverse

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
    # paid, local, as directly as possible, refugee-led, flexible, multi-year
    assert cells[0] == "100,000"
    reached = '30.0 % <span class="status status-kept">target reached</span>'
    assert cells[1:] == ["30.0 %", reached, "30.0 %", "30.0 %", "70.0 %"]
    earlier = page[page.index('<th scope="row">2024</th>', page.index("reaches local")) :]
    earlier_cells = [" ".join(c.split("</td>")[0].split()) for c in
                     earlier.split("</tr>")[0].split("<td>")[1:]]  # fmt: skip
    assert earlier_cells[1:3] == ["100.0 %", "0.0 %"]  # local, but through two intermediaries
    for name in (world.local.name, "Global Consultants", "Turkana Peace Group"):
        assert name not in page
