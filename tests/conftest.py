"""Shared fixtures: two organisations on each side of a partnership, people in every role,
and an unrelated organisation whose members must never see the partnership."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role
from counterpart.partnerships.models import PartyRole, Side, Stage
from counterpart.partnerships.services import partnership_create

PASSWORD = "a-long-test-password-1"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "en"


def make_user(email, name="Test Person"):
    return get_user_model().objects.create_user(email=email, password=PASSWORD, full_name=name)


def make_org(name, kind=OrganisationKind.INTERNATIONAL_NGO, country="GB", **extra):
    return Organisation.objects.create(name=name, kind=kind, country=country, **extra)


def add_member(org, user, role):
    return Membership.objects.create(organisation=org, user=user, role=role)


@dataclass
class World:
    intl: Organisation
    local: Organisation
    other: Organisation
    intl_admin: object
    intl_editor: object
    intl_viewer: object
    local_admin: object
    local_editor: object
    local_viewer: object
    outsider: object
    partnership: object

    def client_for(self, user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def world(db):
    intl = make_org("Global Aid Partners", OrganisationKind.INTERNATIONAL_NGO, "GB")
    local = make_org("Camp Youth Network", OrganisationKind.REFUGEE_LED, "KE", refugee_led=True)
    other = make_org("Unrelated Relief", OrganisationKind.INTERNATIONAL_NGO, "FR")
    people = {}
    for side, org in (("intl", intl), ("local", local)):
        for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER):
            user = make_user(f"{side}-{role}@example.org", f"{side.title()} {role.title()}")
            add_member(org, user, role)
            people[f"{side}_{role}"] = user
    outsider = make_user("outsider@example.org", "Out Sider")
    add_member(other, outsider, Role.ADMIN)
    partnership = partnership_create(
        actor=people["intl_editor"],
        organisation=intl,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=local,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage=Stage.CO_DESIGN,
        title="Youth protection in the camp",
        countries=["KE"],
    )
    return World(
        intl=intl,
        local=local,
        other=other,
        outsider=outsider,
        partnership=partnership,
        **people,
    )
