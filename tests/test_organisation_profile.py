"""An organisation's profile carries what the metrics need, and only its admins change it."""

from django.urls import reverse

from counterpart.organisations.models import Organisation, OrganisationKind

from .conftest import make_org


def profile_data(organisation, **changes):
    data = {
        "name": organisation.name,
        "country": organisation.country.code,
        "kind": organisation.kind,
        "refugee_led": "on" if organisation.refugee_led else "",
        "affiliate_of": organisation.affiliate_of.name if organisation.affiliate_of else "",
        "iati_identifier": organisation.iati_identifier,
        "website": organisation.website,
        "description": organisation.description,
    }
    data.update(changes)
    return data


def test_admin_edits_the_profile(world):
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("organisation_edit", args=[world.intl.pk]),
        profile_data(world.intl, name="Global Aid Partners UK", iati_identifier="GB-CHC-1234567"),
    )
    assert response.status_code == 302
    world.intl.refresh_from_db()
    assert world.intl.name == "Global Aid Partners UK"
    assert world.intl.iati_identifier == "GB-CHC-1234567"


def test_wrong_values_are_explained_and_nothing_changes(world):
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("organisation_edit", args=[world.intl.pk]),
        profile_data(world.intl, name="", country="XX", kind="alien", website="not a url"),
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in text
    assert "Select a valid choice" in text
    world.intl.refresh_from_db()
    assert world.intl.name == "Global Aid Partners"


def test_an_organisation_cannot_be_its_own_affiliate(world):
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("organisation_edit", args=[world.intl.pk]),
        profile_data(world.intl, affiliate_of="Global Aid Partners"),
    )
    assert "No organisation on Counterpart matches" in response.content.decode()
    world.intl.refresh_from_db()
    assert world.intl.affiliate_of_id is None


def test_a_country_office_is_never_local(db):
    parent = make_org("Big INGO", OrganisationKind.INTERNATIONAL_NGO, "US")
    office = make_org("Big INGO Uganda", OrganisationKind.NATIONAL_NGO, "UG", affiliate_of=parent)
    rlo = make_org("Refugee Voices", OrganisationKind.REFUGEE_LED, "UG", refugee_led=True)
    assert office.is_local is False
    assert rlo.is_local is True
    assert rlo.is_refugee_led is True
    assert parent.is_local is False


def test_iati_identifiers_are_unique_when_given(world):
    client = world.client_for(world.intl_admin)
    Organisation.objects.filter(pk=world.other.pk).update(iati_identifier="GB-CHC-1")
    response = client.post(
        reverse("organisation_edit", args=[world.intl.pk]),
        profile_data(world.intl, iati_identifier="GB-CHC-1"),
    )
    assert response.status_code == 400
    assert "already uses this IATI identifier" in response.content.decode()
    world.intl.refresh_from_db()
    assert world.intl.iati_identifier == ""


def test_a_signed_in_person_registers_another_organisation_and_becomes_its_admin(world):
    client = world.client_for(world.intl_viewer)
    response = client.post(
        reverse("organisation_create"),
        {"name": "New Community Group", "country": "UG", "kind": "cbo"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="New Community Group")
    assert organisation.memberships.get().user == world.intl_viewer
    assert organisation.memberships.get().role == "admin"


def test_the_profile_page_shows_the_facts(world):
    page = world.client_for(world.local_viewer).get(
        reverse("organisation_detail", args=[world.local.pk])
    )
    text = page.content.decode()
    assert "Camp Youth Network" in text
    assert "Kenya" in text
    assert "Refugee-led organisation" in text


def test_the_parent_is_named_not_chosen_from_a_list(world):
    client = world.client_for(world.local_admin)
    page = client.get(reverse("organisation_edit", args=[world.local.pk])).content.decode()
    assert "Unrelated Relief" not in page and "Global Aid Partners" not in page
    response = client.post(
        reverse("organisation_edit", args=[world.local.pk]),
        profile_data(world.local, affiliate_of="global aid partners", kind="national_ngo"),
    )
    assert response.status_code == 302
    world.local.refresh_from_db()
    assert world.local.affiliate_of == world.intl
    page = client.get(reverse("organisation_edit", args=[world.local.pk])).content.decode()
    assert 'value="Global Aid Partners"' in page
