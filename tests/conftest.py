"""Shared fixtures: two organisations on each side of a partnership, people in every role,
and an unrelated organisation whose members must never see the partnership."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role
from counterpart.partnerships.models import PartyRole, Side, Stage
from counterpart.partnerships.services import partnership_propose, proposal_accept

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
    # The API's request counts (throttling) live in the cache; each test starts afresh.
    from django.core.cache import cache

    cache.clear()


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


def make_partnership(*, accepted_by, **fields):
    """A partnership proposed by `actor` and accepted by an admin of the partner."""
    from counterpart.notifications.models import Notification

    partnership = partnership_propose(**fields)
    proposal_accept(actor=accepted_by, proposal=partnership.proposals.get())
    # The partnership stands as already agreed: the news of its proposal is not part of a test.
    Notification.objects.filter(kind__in=["partnership_proposed", "partnership_accepted"]).delete()
    return partnership


@pytest.fixture
def world(db):
    return make_world()


def make_world():
    """The organisations, people and partnership of the `world` fixture, stored for good (for
    tests that start processes of their own on a database of their own)."""
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
    partnership = make_partnership(
        accepted_by=people["local_admin"],
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


# --- Frameworks -----------------------------------------------------------------------------

BUILTIN_XLSFORM = (
    Path(__file__).resolve().parent.parent
    / "counterpart"
    / "frameworks"
    / "builtin"
    / "equitable-partnerships.xlsx"
)
FIXTURE_XLSFORMS = Path(__file__).resolve().parent / "data" / "xlsform"


def builtin_version():
    """The built-in framework, which every migrated database holds."""
    from counterpart.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(framework__organisation__isnull=True, number=1)


def edited_workbook(change, data=None):
    """The built-in XLSForm with `change(workbook)` applied, as bytes."""
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data or BUILTIN_XLSFORM.read_bytes()))
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def survey_cell(workbook, name, header):
    """The survey cell of the row named `name` under the column `header`."""
    sheet = workbook["survey"]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index(header) + 1
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == name:
            return sheet.cell(row=row[0].row, column=column)
    raise KeyError(name)


def small_framework_workbook(title="Our partnership check", extra_language=None):
    """A small valid framework: one element with one mirrored pair, in English and French
    (and another language when asked)."""
    from counterpart.frameworks import xlsform

    languages = [("en", "English"), ("fr", "French")]
    if extra_language:
        languages.append(extra_language)

    def texts(english):
        return {code: f"{english} [{code}]" if code != "en" else english for code, _ in languages}

    framework = xlsform.ParsedFramework(
        title=title,
        form_id="partnership_check",
        version="1",
        languages=languages,
        default_language="en",
        groups=[xlsform.Group(3, "respect", "element", "respect", {"label": texts("Respect")})],
        rows=[
            xlsform.Row(2, "select_one side", "respondent_side", {"label": texts("Your side")}),
            xlsform.Row(
                4,
                "select_one agreement",
                "listen_intl",
                {"label": texts("We listen."), "prompt": texts("Who spoke?")},
                part="relationship",
                element="respect",
                side="international",
                pair="listen",
                section="respect",
            ),
            xlsform.Row(
                5,
                "select_one agreement",
                "listen_local",
                {"label": texts("Our partner listens."), "prompt": texts("Who spoke?")},
                part="relationship",
                element="respect",
                side="local",
                pair="listen",
                section="respect",
            ),
        ],
        choices=[
            ("side", "international", texts("International")),
            ("side", "local", texts("Local")),
        ]
        + [("agreement", str(n), texts(f"Level {n}")) for n in range(1, 6)],
    )
    return xlsform.write_workbook(framework)


def make_framework(organisation, actor, data=None, **kwargs):
    from counterpart.frameworks.services import framework_version_import

    return framework_version_import(
        actor=actor,
        organisation=organisation,
        data=data or small_framework_workbook(),
        source_name="check.xlsx",
        **kwargs,
    )


# --- Rounds ---------------------------------------------------------------------------------


def sending():
    """Run what waits for the transaction's commit (emails) when the block ends, as a real
    request's commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def mail_server(settings):
    """A mail server whose refusals the test sets (`mail_servers.FlakyServer`)."""
    from .mail_servers import FlakyServer

    FlakyServer.reset()
    settings.EMAIL_BACKEND = "tests.mail_servers.FlakyServer"
    yield FlakyServer
    FlakyServer.reset()


def make_round(
    world, *, privacy="organisation", respondents=True, open_it=True, accept=True, **fields
):
    """A partnership round on the built-in framework, prepared by the international editor and
    accepted by the local editor; with one respondent per side, opened, unless told otherwise."""
    import datetime

    from django.utils import timezone

    from counterpart.assessments import services

    today = timezone.localdate()
    settings_ = {
        "title": "Check-in 2026",
        "stage": Stage.IMPLEMENTATION,
        "framework_version": builtin_version(),
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=14),
        "privacy": privacy,
        "conversation_mode": False,
        **fields,
    }
    with sending():
        round_ = services.round_create(
            actor=world.intl_editor,
            partnership=world.partnership,
            organisation=world.intl,
            **settings_,
        )
    if accept:
        services.round_accept(actor=world.local_editor, round_=round_, side=Side.LOCAL)
    if respondents:
        services.respondent_add(
            actor=world.intl_editor,
            round_=round_,
            side=Side.INTERNATIONAL,
            email="amira@intl.example.org",
            name="Amira Haddad",
        )
        services.respondent_add(
            actor=world.local_editor,
            round_=round_,
            side=Side.LOCAL,
            email="joseph@local.example.org",
            name="Joseph Deng",
            language="ar",
        )
    if open_it:
        with sending():
            services.round_open(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    return round_


def partners_of(organisation, editor, count):
    """`count` local partners of `organisation`, each with one person (its admin) and an
    accepted partnership proposed by `editor`."""
    from counterpart.organisations.models import Organisation

    found = []
    for n in range(count):
        suffix = "" if organisation.name == "Global Aid Partners" else f" of {organisation.pk}"
        name = f"Local Partner {n}{suffix}"
        partner = Organisation.objects.filter(name=name).first()
        if partner is None:
            partner = make_org(name, OrganisationKind.NATIONAL_NGO, "KE")
            domain = f"local{n}" if not suffix else f"local{n}.{organisation.pk}"
            person = make_user(f"partner{n}@{domain}.example.org", f"Partner Person {n}")
            add_member(partner, person, Role.ADMIN)
            make_partnership(
                accepted_by=person,
                actor=editor,
                organisation=organisation,
                side=Side.INTERNATIONAL,
                role=PartyRole.FUNDING,
                partner=partner,
                partner_side=Side.LOCAL,
                partner_role=PartyRole.IMPLEMENTING,
                stage=Stage.IMPLEMENTATION,
                title=f"Work with {name}",
            )
        found.append(partner)
    return found


def partner_organisations(world, count):
    """`count` local partners of the international organisation (see `partners_of`)."""
    return partners_of(world.intl, world.intl_editor, count)


def pooled_round_of(organisation, editor, *, threshold=3, title="Partner feedback"):
    """A partner feedback round of `organisation` being prepared, open for two weeks from
    today, with nobody asked yet."""
    import datetime

    from django.utils import timezone

    from counterpart.assessments import services

    today = timezone.localdate()
    return services.round_create_pooled(
        actor=editor,
        organisation=organisation,
        title=title,
        framework_version=builtin_version(),
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        threshold=threshold,
        conversation_mode=False,
    )


def make_pooled_round(world, *, people=5, threshold=5, open_it=True):
    """A partner feedback round of the international organisation, with `people` asked, each
    from a partner organisation of their own."""
    from counterpart.assessments import partner_feedback, services

    round_ = pooled_round_of(
        world.intl, world.intl_editor, threshold=threshold, title="Partner feedback 2026"
    )
    partner_feedback.respondents_add_members(
        actor=world.intl_editor, round_=round_, organisations=partner_organisations(world, people)
    )
    if open_it:
        with sending():
            services.round_open(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    return round_


def respondent_client(respondent):
    """A browser session that has opened the respondent's personal link."""
    from counterpart.assessments.services import respondent_link

    client = Client()
    response = client.get(respondent_link(respondent).replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 302, response.status_code
    return client


def answer_everything(client, value="4"):
    """Go through every page, choosing `value` wherever the agreement scale is asked, and
    submit. Returns the final response."""
    import re

    client.post("/respond/start/", {"language": "en"})
    page = 1
    while True:
        form = client.get(f"/respond/page/{page}/").content.decode()
        names = set(re.findall(r'name="([a-z0-9_]+)" value="' + value + '"', form))
        response = client.post(f"/respond/page/{page}/", {n: value for n in names})
        assert response.status_code == 302, response.content.decode()[:2000]
        if response["Location"].endswith("/respond/review/"):
            break
        page += 1
    return client.post("/respond/review/")


# --- Insight --------------------------------------------------------------------------------


def submit_answers(respondent, answers, language="en"):
    """Store `answers` ({question name: value}) as the respondent's draft and submit it."""
    from counterpart.assessments import services

    respondent.refresh_from_db()
    services.draft_save(respondent=respondent, answers=answers, page=1, language=language)
    return services.response_submit(respondent=respondent)


def released_round(world, answers, *, partnership=None, extra_people=0, **fields):
    """A partnership round whose respondents submitted `answers` ({side: [{name: value}, …]}:
    one dict per person), then closed and released. `extra_people` are added per side."""
    from counterpart.assessments import services

    if partnership is not None:
        world = _world_for(world, partnership)
    round_ = make_round(world, open_it=False, **fields)
    people = {side: len(given) for side, given in answers.items()}
    for side, count in people.items():
        editor = world.intl_editor if side == Side.INTERNATIONAL else world.local_editor
        for n in range(1, count):
            services.respondent_add(
                actor=editor, round_=round_, side=side, email=f"{side}{n}@example.org"
            )
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)
    for side, given in answers.items():
        respondents = list(round_.respondents.filter(side=side).order_by("pk"))
        for respondent, values in zip(respondents, given, strict=False):
            submit_answers(respondent, values)
    round_.refresh_from_db()
    if round_.state == "open":
        services.round_close(actor=world.intl_editor, round_=round_)
        round_.refresh_from_db()
    return round_


def released_feedback_round(organisation, editor, answers, people=3):
    """A released partner feedback round (threshold 3) in which every partner answered
    `answers` ({question name: value})."""
    from counterpart.assessments import partner_feedback, services

    round_ = pooled_round_of(organisation, editor)
    partner_feedback.respondents_add_members(
        actor=editor, round_=round_, organisations=partners_of(organisation, editor, people)
    )
    with sending():
        services.round_open(actor=editor, round_=round_)
    for respondent in round_.respondents.all():
        submit_answers(respondent, answers)
    services.round_close(actor=editor, round_=round_)
    round_.refresh_from_db()
    return round_


def convened_round(world, *, funders=None, threshold=3, title="Feedback on our funders"):
    """Feedback the local organisation convenes about the international one (or about each of
    `funders`: a list of rounds then), being prepared, with the local organisation's members
    asked."""
    import datetime

    from django.utils import timezone

    from counterpart.assessments import convened

    today = timezone.localdate()
    rounds = convened.rounds_convene(
        actor=world.local_editor,
        convener=world.local,
        funders=funders or [world.intl],
        title=title,
        framework_version=builtin_version(),
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        threshold=threshold,
    )
    return rounds if funders else rounds[0]


def join_convened(world, round_, partners):
    """The convener invites each of `partners` (each with one admin, as `partners_of` makes
    them), and each one's admin joins."""
    from counterpart.assessments import convened
    from counterpart.organisations.models import Membership

    for partner in partners:
        invitation = convened.invitation_send(
            actor=world.local_editor, round_=round_, organisation=partner
        )
        admin = Membership.objects.filter(organisation=partner, role=Role.ADMIN).first().user
        convened.invitation_answer(actor=admin, invitation=invitation, join=True)
    return partners


def released_convened_round(world, answers=None):
    """Feedback the local organisation convened about the international one, joined by two
    more of its partners, answered by one person of each of the three organisations and
    released (threshold 3)."""
    from counterpart.assessments import services

    round_ = convened_round(world)
    join_convened(world, round_, partner_organisations(world, 2))
    with sending():
        services.round_open(actor=world.local_editor, round_=round_)
    answered = set()
    for respondent in round_.respondents.order_by("email"):
        if respondent.organisation_id not in answered:
            submit_answers(respondent, answers or {"respect_advice_local": "4"})
            answered.add(respondent.organisation_id)
    with sending():
        services.round_close(actor=world.local_editor, round_=round_)
    round_.refresh_from_db()
    return round_


def _world_for(world, partnership):
    """The same people, acting in another partnership between the same organisations."""
    import copy

    other = copy.copy(world)
    other.partnership = partnership
    return other


# --- Commitments ----------------------------------------------------------------------------


def propose_commitment(world, round_, *, by=None, owner=None, owner_side=None, days=30, **terms):
    """A commitment proposed after `round_`: by the international editor unless told, owned
    by the international admin on the international side, due in `days` days."""
    import datetime

    from django.utils import timezone

    from counterpart.commitments.services import commitment_propose

    owner_side = owner_side or Side.INTERNATIONAL
    if owner is None:
        owner = world.intl_admin if owner_side == Side.INTERNATIONAL else world.local_admin
    values = {
        "title": "Share budget revisions with the partner before sending them",
        "element": "transparency",
        "question": "",
        "owner_side": owner_side,
        "owner": owner,
        "due_on": timezone.localdate() + datetime.timedelta(days=days),
        "evidence_expected": "The partner's sign-off on each revision.",
        **terms,
    }
    with sending():
        return commitment_propose(actor=by or world.intl_editor, round_=round_, **values)


def agreed_commitment(world, round_, **kwargs):
    """A commitment proposed by the international side and accepted by the local side."""
    from counterpart.commitments.services import commitment_accept

    commitment = propose_commitment(world, round_, **kwargs)
    with sending():
        commitment_accept(actor=world.local_editor, commitment=commitment)
    commitment.refresh_from_db()
    return commitment


# Concerns -----------------------------------------------------------------------------------


def raise_concern(world, *, actor=None, category="funding", **fields):
    """A concern raised signed in, by the local editor unless told, with the international
    organisation of the world's partnership."""
    from counterpart.concerns.services import concern_raise

    values = {
        "description": "Our budget line for transport was cut without asking us.",
        "reply_by": "app",
        "contact": "",
        **fields,
    }
    with sending():
        return concern_raise(
            actor=actor or world.local_editor,
            partnership=world.partnership,
            organisation=world.intl,
            category=category,
            **values,
        )


def open_intake(world, **settings_):
    """The international organisation's concerns settings, with its public link turned on."""
    from counterpart.concerns.services import concern_settings_update

    values = {
        "focal_points": [],
        "acknowledge_days": 7,
        "respond_days": 30,
        "intake_open": True,
        **settings_,
    }
    return concern_settings_update(actor=world.intl_admin, organisation=world.intl, **values)


def raise_anonymously(world, *, category="respect", **fields):
    """A concern raised through the international organisation's public link. Returns the
    concern and the secret of its private link."""
    from counterpart.concerns.models import ConcernSettings
    from counterpart.concerns.services import concern_raise_anonymous

    chosen = ConcernSettings.objects.filter(organisation=world.intl, intake_open=True).first()
    chosen = chosen or open_intake(world)
    values = {
        "description": "We were told not to speak in the coordination meeting.",
        "reply_by": "app",
        "contact": "",
        **fields,
    }
    with sending():
        return concern_raise_anonymous(intake_key=chosen.intake_key, category=category, **values)


# Funding ------------------------------------------------------------------------------------

IATI_FIXTURES = Path(__file__).resolve().parent / "data" / "iati"
FUNDING_DATA = Path(__file__).resolve().parent / "data" / "funding"


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def fixture_bytes(name):
    """A file from the shared IATI fixtures (by its path under that folder) or from
    tests/data/funding (by its bare name)."""
    path = IATI_FIXTURES / name
    if not path.exists():
        path = FUNDING_DATA / name
    return path.read_bytes()


def import_funding_file(organisation, actor, content: bytes, name="activities.xml", kind="iati"):
    """Upload a file as the person would and run its import; returns the finished import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from counterpart.funding.services import funding_import_create

    with sending():
        record = funding_import_create(
            actor=actor,
            organisation=organisation,
            kind=kind,
            uploaded=SimpleUploadedFile(name, content),
        )
    record.refresh_from_db()
    return record


# The form for a flow entered by hand, filled in.
FLOW_FORM = {
    "kind": "disbursement",
    "date": "2025-07-15",
    "amount": "12500.50",
    "currency": "usd",
    "provider_name": "",
    "receiver_name": "Kakuma Women's Group",
    "receiver_class": "rlo",
    "country": "KE",
    "humanitarian": "true",
    "flexible": "true",
    "multi_year": "unknown",
    "overhead_rate": "8",
    "intermediaries": "",
    "note": "",
}


def record_flow(world, day, amount, **values):
    """A disbursement in US dollars recorded by hand by the international editor; by default
    to a local receiver that is not on Counterpart."""
    from datetime import date
    from decimal import Decimal

    from counterpart.funding.services import flow_create

    data = {
        "kind": "disbursement",
        "date": day if isinstance(day, date) else date.fromisoformat(day),
        "amount": Decimal(amount),
        "currency": "USD",
        "receiver_name": "Partner",
        "receiver_class": "local",
        **values,
    }
    return flow_create(actor=world.intl_editor, organisation=world.intl, data=data)


# API ----------------------------------------------------------------------------------------


def api_client(user, language=None):
    """A client that signs in to the API with a fresh personal token of the user's (never a
    session), asking for answers in `language` when given."""
    from counterpart.api.services import api_token_create

    _token, key = api_token_create(actor=user, name="Tests")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return Client(**headers)


# Accounts -----------------------------------------------------------------------------------


def confirmation_path(message):
    """The path of the sign-up confirmation link in an email."""
    import re

    link = re.search(r"https?://\S+/accounts/signup/confirm/\S+/", message.body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def signup_data(**changes):
    """What a person writes on the registration form."""
    return {
        "full_name": "Mariam Yousef",
        "email": "mariam@collective.example.org",
        "password1": "good-long-password-7",
        "password2": "good-long-password-7",
        "organisation_name": "Women Refugees Collective",
        "organisation_country": "JO",
        "organisation_kind": "rlo",
        "organisation_refugee_led": "on",
        **changes,
    }


def nairobi_focal_point(world):
    """Fatima, a viewer of the international organisation, reading in Nairobi time (not yet a
    focal point: `open_intake` names her)."""
    membership = add_member(world.intl, make_user("focal@example.org", "Fatima Focal"), "viewer")
    membership.user.timezone = "Africa/Nairobi"
    membership.user.save(update_fields=["timezone"])
    return membership
