"""Two organisations in one country never share a name (case, accents and punctuation aside),
wherever an organisation is registered or renamed. The same name in another country is
allowed: the country is shown beside names."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from counterpart.accounts.models import PendingSignup
from counterpart.organisations.models import Organisation
from counterpart.organisations.services import organisation_register_partner

from .conftest import confirmation_path, make_org, sending
from .test_organisation_profile import profile_data
from .test_sign_up import sign_up

TAKEN = "An organisation with this name is already on Counterpart in this country."
NAME = "Horizon Relief International"
SAME = "horizon relief internátional"


@pytest.fixture
def horizon(world):
    return make_org(NAME, country="GB")


def test_the_key_ignores_case_accents_and_punctuation(horizon):
    assert horizon.name_key == "horizon relief international"
    horizon.name = "Horizon Relief Int'l."
    horizon.save(update_fields=["name"])
    horizon.refresh_from_db()
    assert horizon.name_key == "horizon relief int l"


def test_registering_refuses_the_same_name_in_the_same_country(horizon):
    response = sign_up(organisation_name=SAME, organisation_country="GB")
    assert response.status_code == 400
    assert TAKEN in response.content.decode()
    assert not PendingSignup.objects.exists() and mail.outbox == []


def test_registering_allows_the_same_name_in_another_country(horizon):
    response = sign_up(organisation_name=SAME, organisation_country="KE")
    assert response.redirect_chain[-1][0] == reverse("signup_sent")
    Client().post(confirmation_path(mail.outbox[-1]))
    assert Organisation.objects.filter(name=SAME, country="KE").exists()


def test_a_name_taken_before_the_confirmation_is_refused_then(world):
    sign_up(organisation_name=SAME, organisation_country="GB")
    make_org(NAME, country="GB")
    response = Client().post(confirmation_path(mail.outbox[-1]))
    assert response.status_code == 400
    assert TAKEN in response.content.decode()
    assert not get_user_model().objects.filter(email="mariam@collective.example.org").exists()
    assert Organisation.objects.filter(name_key="horizon relief international").count() == 1


def _register_partner(world, country):
    with sending():
        return organisation_register_partner(
            actor=world.intl_editor,
            inviting_organisation=world.intl,
            contact_email="contact@horizon.example.org",
            name=SAME,
            country=country,
            kind="national_ngo",
        )


def test_a_partner_registered_by_another_organisation_is_refused_the_same_name(horizon, world):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as refused:
        _register_partner(world, "GB")
    assert TAKEN in str(refused.value.message_dict["name"])
    assert Organisation.objects.count() == before
    assert mail.outbox == []
    partner, _invitation, _link = _register_partner(world, "KE")
    assert partner.country == "KE"


def test_renaming_to_a_name_taken_in_the_country_is_refused(horizon, world):
    client = world.client_for(world.intl_admin)  # Global Aid Partners, in GB
    url = reverse("organisation_edit", args=[world.intl.pk])
    response = client.post(url, profile_data(world.intl, name=SAME))
    assert response.status_code == 400
    assert TAKEN in response.content.decode()
    world.intl.refresh_from_db()
    assert world.intl.name == "Global Aid Partners"
    # Moving to the country where the name is taken is refused too.
    other = make_org("Horizon Relief International", country="KE")
    response = client.post(url, profile_data(world.intl, name=NAME, country="KE"))
    assert response.status_code == 400
    other.delete()
    # In another country, the name is free.
    response = client.post(url, profile_data(world.intl, name=SAME, country="KE"))
    assert response.status_code == 302
    world.intl.refresh_from_db()
    assert (world.intl.name, world.intl.country.code) == (SAME, "KE")


def test_organisations_that_already_share_a_name_still_save_their_profile(world):
    world.intl.name = NAME
    world.intl.save()
    make_org(SAME, country="GB")  # made before the check, as in an old database
    client = world.client_for(world.intl_admin)
    response = client.post(
        reverse("organisation_edit", args=[world.intl.pk]),
        profile_data(world.intl, description="We work in East Africa."),
    )
    assert response.status_code == 302


def test_a_signed_in_person_registering_another_organisation_is_refused_too(horizon, world):
    response = world.client_for(world.outsider).post(
        reverse("organisation_create"),
        {"name": SAME, "country": "GB", "kind": "national_ngo", "time_zone": "UTC"},
    )
    assert response.status_code == 400
    assert TAKEN in response.content.decode()


def test_the_migration_fills_the_key_of_existing_organisations(horizon):
    Organisation.objects.update(name_key="")
    migration = importlib.import_module("counterpart.organisations.migrations.0005_name_key")
    migration.fill_name_keys(apps, None)
    horizon.refresh_from_db()
    assert horizon.name_key == "horizon relief international"
