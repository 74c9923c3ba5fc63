"""Pages read with planned queries: the number of queries does not grow with the data."""

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counterpart.accounts.models import User
from counterpart.partnerships.models import Partnership


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_lists_and_pages_do_not_grow_with_the_number_of_partnerships(client, db):
    call_command("load_demo", stdout=io.StringIO())
    amina = User.objects.get(email="amina.intl-admin@horizon.example")
    client.force_login(amina)
    many = Partnership.objects.filter(parties__organisation__memberships__user=amina).count()
    assert many >= 4
    list_queries = count_queries(client, reverse("partnership_list"))
    home_queries = count_queries(client, reverse("home"))
    detail = Partnership.objects.get(title="Women's savings groups, Nakivale")
    # This one has intermediaries, a history and several stage changes.
    maartje = User.objects.get(email="maartje@northbridge.example")
    client.force_login(maartje)
    detail_queries = count_queries(client, reverse("partnership_detail", args=[detail.pk]))
    parties_queries = count_queries(client, reverse("party_add", args=[detail.pk]))
    members_queries = count_queries(
        client, reverse("member_list", args=[maartje.memberships.get().organisation_id])
    )
    # The list and the home page each read, once, the proposals waiting for the person.
    assert list_queries <= 8, list_queries
    assert home_queries <= 7, home_queries
    # The page also reads the proposals waiting in it and which parties the person may take out.
    assert detail_queries <= 12, detail_queries
    assert parties_queries <= 14, parties_queries  # with the menu's unread count
    assert members_queries <= 6, members_queries
