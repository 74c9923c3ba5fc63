"""A realistic demonstration: fictional organisations, people and partnerships.

Everything is written through the services, as a person would, so the audit log is real too.
All names are invented; any likeness to a real organisation is unintended."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from counterpart.frameworks.services import BUILTIN_DIRECTORY, framework_version_import
from counterpart.organisations.models import Organisation, OrganisationKind, Role
from counterpart.organisations.services import (
    invitation_accept_new_person,
    invitation_create,
    organisation_create,
    organisation_register_partner,
)
from counterpart.partnerships.models import PartyRole, Side, Stage
from counterpart.partnerships.services import (
    agreement_update,
    partnership_propose,
    partnership_set_stage,
    proposal_accept,
)

DEMO_PASSWORD = "demo-partners-2026"
DEMO_MARKER = "Horizon Relief International"

K = OrganisationKind
INTERNATIONAL = [
    # key, name, country, kind, affiliate of
    ("horizon", "Horizon Relief International", "GB", K.INTERNATIONAL_NGO, None),
    ("northbridge", "Northbridge Foundation", "NL", K.FOUNDATION, None),
    ("rdf", "Regional Displacement Fund", "CH", K.MULTILATERAL, None),
    ("horizon_ke", "Horizon Relief Kenya", "KE", K.INTERNATIONAL_NGO, "horizon"),
]
LOCAL = [
    # key, name, country, kind, refugee-led
    ("kalobeyei", "Kalobeyei Youth Bridges", "KE", K.REFUGEE_LED, True),
    ("turkana", "Turkana Host Community Care", "KE", K.HOST_COMMUNITY, False),
    ("nakivale", "Nakivale Women's Circle", "UG", K.REFUGEE_LED, True),
    ("isingiro", "Isingiro Development Network", "UG", K.NATIONAL_NGO, False),
    ("mafraq", "Mafraq Neighbours Association", "JO", K.COMMUNITY_BASED, False),
    ("irbid", "Irbid Newcomers Legal Aid", "JO", K.NATIONAL_NGO, False),
    ("bekaa", "Bekaa Hope Collective", "LB", K.REFUGEE_LED, True),
    ("cucuta", "Red de Migrantes Unidos de Cúcuta", "CO", K.REFUGEE_LED, True),
    ("frontera", "Fundación Frontera Viva", "CO", K.NATIONAL_NGO, False),
    ("ouaddai", "Association des Réfugiés Solidaires du Ouaddaï", "TD", K.REFUGEE_LED, True),
    ("abeche", "Abéché Santé Communautaire", "TD", K.COMMUNITY_BASED, False),
]

# The sign-in accounts, one per role and side.
PEOPLE = [
    # email, name, organisation key, role
    ("amina.intl-admin@horizon.example", "Amina Clarke", "horizon", Role.ADMIN),
    ("david.intl-editor@horizon.example", "David Okafor", "horizon", Role.EDITOR),
    ("sofia.intl-viewer@horizon.example", "Sofia Lindqvist", "horizon", Role.VIEWER),
    ("joseph.local-admin@kalobeyei.example", "Joseph Deng", "kalobeyei", Role.ADMIN),
    ("grace.local-editor@kalobeyei.example", "Grace Nyakim", "kalobeyei", Role.EDITOR),
    ("hassan.local-viewer@kalobeyei.example", "Hassan Abdi", "kalobeyei", Role.VIEWER),
    # Further admins, so each organisation has someone who looks after it.
    ("maartje@northbridge.example", "Maartje de Vries", "northbridge", Role.ADMIN),
    ("lea@rdf.example", "Léa Bonnet", "rdf", Role.ADMIN),
    ("wanjiru@horizon-ke.example", "Wanjiru Kamau", "horizon_ke", Role.ADMIN),
    ("rose@nakivale.example", "Rose Uwimana", "nakivale", Role.ADMIN),
    ("layla@bekaa.example", "Layla Haddad", "bekaa", Role.ADMIN),
    ("yusmary@cucuta.example", "Yusmary Pérez", "cucuta", Role.ADMIN),
    ("idriss@ouaddai.example", "Idriss Mahamat", "ouaddai", Role.ADMIN),
    ("akai@turkana.example", "Akai Lokwang", "turkana", Role.ADMIN),
    ("moses@isingiro.example", "Moses Tumusiime", "isingiro", Role.ADMIN),
    ("rania@mafraq.example", "Rania Khalil", "mafraq", Role.ADMIN),
    ("omar@irbid.example", "Omar Haddadin", "irbid", Role.ADMIN),
    ("camila@frontera.example", "Camila Restrepo", "frontera", Role.ADMIN),
    ("halime@abeche.example", "Halimé Abakar", "abeche", Role.ADMIN),
]

# A partner that is not on Counterpart yet: Horizon registered it and proposed a partnership;
# its contact person has an invitation waiting.
NOT_YET_JOINED = ("lodwar", "Lodwar Youth Radio", "KE", K.COMMUNITY_BASED, False)

# Proposals still waiting for an answer: title, proposing key, key of the organisation asked.
WAITING_PROPOSALS = [
    ("Digital skills for young refugees, Kalobeyei", "rdf", "kalobeyei", Stage.EXPLORING),
    ("Community radio for host and refugee youth", "horizon", "lodwar", Stage.EXPLORING),
]

STAGES = list(Stage.values)

# title, international key, local key, stage, countries, start, end, agreement terms, route
PARTNERSHIPS = [
    ("Youth-led protection in Kalobeyei", "horizon", "kalobeyei", Stage.IMPLEMENTATION,
     ["KE"], date(2025, 3, 1), date(2027, 2, 28),
     dict(amount=Decimal("180000"), currency="USD", funding_type="flexible", multi_year=True,
          overhead_rate=Decimal("12"), reporting_frequency="half_yearly",
          reporting_language="sw"), []),
    ("Host and refugee livelihoods, Turkana West", "horizon", "turkana", Stage.REVIEW,
     ["KE"], date(2024, 1, 1), date(2026, 12, 31),
     dict(amount=Decimal("9500000"), currency="KES", funding_type="earmarked", multi_year=True,
          overhead_rate=Decimal("7"), reporting_frequency="quarterly",
          reporting_language="en"), []),
    ("Women's savings groups, Nakivale", "northbridge", "nakivale", Stage.AGREEMENT,
     ["UG"], date(2026, 9, 1), date(2027, 8, 31),
     dict(amount=Decimal("60000"), currency="EUR", funding_type="earmarked", multi_year=False,
          overhead_rate=Decimal("0"), reporting_frequency="quarterly",
          reporting_language="en"), ["horizon_ke"]),
    ("Referral network for new arrivals, Isingiro", "rdf", "isingiro", Stage.CO_DESIGN,
     ["UG"], None, None, dict(currency="UGX"), []),
    ("Community centre in Mafraq", "horizon", "mafraq", Stage.TRANSITION,
     ["JO"], date(2022, 4, 1), date(2026, 3, 31),
     dict(amount=Decimal("210000"), currency="JOD", funding_type="earmarked", multi_year=True,
          overhead_rate=Decimal("10"), reporting_frequency="monthly",
          reporting_language="ar"), []),
    ("Legal aid for newcomers in Irbid", "rdf", "irbid", Stage.IMPLEMENTATION,
     ["JO"], date(2025, 7, 1), date(2026, 12, 31),
     dict(amount=Decimal("340000"), currency="USD", funding_type="earmarked", multi_year=False,
          overhead_rate=Decimal("5"), reporting_frequency="monthly",
          reporting_language="en"), []),
    ("Refugee-led education in the Bekaa", "northbridge", "bekaa", Stage.EXPLORING,
     ["LB"], None, None, {}, []),
    ("Migrant-led health outreach in Cúcuta", "rdf", "cucuta", Stage.IMPLEMENTATION,
     ["CO"], date(2025, 1, 15), date(2027, 1, 14),
     dict(amount=Decimal("95000"), currency="USD", funding_type="flexible", multi_year=True,
          overhead_rate=Decimal("15"), reporting_frequency="half_yearly",
          reporting_language="es"), ["frontera"]),
    ("Border shelter coordination", "horizon", "frontera", Stage.REVIEW,
     ["CO", "VE"], date(2023, 6, 1), date(2026, 5, 31),
     dict(amount=Decimal("720000000"), currency="COP", funding_type="earmarked",
          multi_year=True, overhead_rate=Decimal("8"), reporting_frequency="quarterly",
          reporting_language="es"), []),
    ("Cash and dignity in eastern Chad", "northbridge", "ouaddai", Stage.CO_DESIGN,
     ["TD"], date(2027, 1, 1), None, dict(currency="XAF", reporting_language="fr"), []),
    ("Community health workers, Abéché", "rdf", "abeche", Stage.AGREEMENT,
     ["TD"], date(2026, 12, 1), date(2028, 11, 30),
     dict(amount=Decimal("150000"), currency="EUR", funding_type="flexible", multi_year=True,
          overhead_rate=Decimal("10"), reporting_frequency="yearly",
          reporting_language="fr"), []),
    ("Youth sports for peace, Kakuma", "northbridge", "kalobeyei", Stage.TRANSITION,
     ["KE"], date(2021, 9, 1), date(2024, 8, 31),
     dict(amount=Decimal("40000"), currency="USD", funding_type="earmarked", multi_year=False,
          overhead_rate=Decimal("0"), reporting_frequency="quarterly",
          reporting_language="en"), ["horizon_ke"]),
]  # fmt: skip


def demo_exists() -> bool:
    return Organisation.objects.filter(name=DEMO_MARKER).exists()


@transaction.atomic
def load_demo():
    User = get_user_model()
    organisations = {}
    people = {}
    # The first admin of each organisation registers it.
    founders = {key: (email, name) for email, name, key, role in PEOPLE if role == Role.ADMIN}
    for key, name, country, kind, parent in INTERNATIONAL:
        email, person = founders[key]
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=person)
        people[email] = user
        organisations[key] = organisation_create(
            actor=user,
            name=name,
            country=country,
            kind=kind,
            affiliate_of=organisations.get(parent),
            iati_identifier=f"XM-DAC-DEMO-{key.upper()}",
        )
    for key, name, country, kind, refugee_led in LOCAL:
        fields = {"name": name, "country": country, "kind": kind, "refugee_led": refugee_led}
        email, person = founders[key]
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=person)
        people[email] = user
        organisations[key] = organisation_create(actor=user, **fields)
    key, name, country, kind, refugee_led = NOT_YET_JOINED
    organisations[key], _invitation, _link = organisation_register_partner(
        actor=people[founders["horizon"][0]],
        inviting_organisation=organisations["horizon"],
        contact_email=f"contact@{key}.example",
        send=False,
        name=name,
        country=country,
        kind=kind,
        refugee_led=refugee_led,
    )
    # The other people join by invitation, as they would.
    for email, name, key, role in PEOPLE:
        if email in people:
            continue
        admin = people[founders[key][0]]
        invitation, _link = invitation_create(
            actor=admin, organisation=organisations[key], email=email, role=role, send=False
        )
        membership = invitation_accept_new_person(
            invitation=invitation, full_name=name, password=DEMO_PASSWORD
        )
        people[email] = membership.user

    partnerships = {}
    for title, intl, local, stage, countries, start, end, terms, route in PARTNERSHIPS:
        actor = people[founders[intl][0]]
        first_stage = STAGES[0]
        partnership = partnership_propose(
            actor=actor,
            organisation=organisations[intl],
            side=Side.INTERNATIONAL,
            role=PartyRole.FUNDING,
            partner=organisations[local],
            partner_side=Side.LOCAL,
            partner_role=PartyRole.IMPLEMENTING if route == [] else PartyRole.LEAD,
            stage=first_stage,
            stage_entered_on=_stage_date(start, 0, STAGES.index(stage)),
            title=title,
            countries=countries,
            start_date=start,
            end_date=end,
        )
        proposal_accept(actor=people[founders[local][0]], proposal=partnership.proposals.get())
        partnerships[title] = partnership
        for step in range(1, STAGES.index(stage) + 1):
            partnership_set_stage(
                actor=actor,
                partnership=partnership,
                stage=STAGES[step],
                entered_on=_stage_date(start, step, STAGES.index(stage)),
            )
        if terms:
            agreement_update(
                actor=actor,
                partnership=partnership,
                intermediaries=[organisations[k] for k in route],
                funding_route="intermediaries" if route else "direct",
                **terms,
            )
    for title, proposer, asked, stage in WAITING_PROPOSALS:
        partnership_propose(
            actor=people[founders[proposer][0]],
            organisation=organisations[proposer],
            side=Side.INTERNATIONAL,
            role=PartyRole.FUNDING,
            partner=organisations[asked],
            partner_side=Side.LOCAL,
            partner_role=PartyRole.IMPLEMENTING,
            stage=stage,
            title=title,
            countries=["KE"],
        )
    _adapted_framework(people[founders["horizon"][0]], organisations["horizon"])
    _rounds(people, organisations, partnerships)
    from counterpart.concerns.demo import load_concerns

    load_concerns(people, organisations, partnerships)
    from counterpart.funding.demo import load_funding

    load_funding(people, organisations)
    return people


# How each side tends to answer, per element, in the demonstration's released rounds: the
# international side rates itself higher on voice and transparency (two blind spots). A year
# earlier the gaps were wider still, so that the partnership's trend shows them closing.
LEANING = {
    "international": {"respect": 4, "voice": 5, "transparency": 4, "adaptability": 4,
                      "culture": 3, "learning": 4},
    "local": {"respect": 4, "voice": 2, "transparency": 2, "adaptability": 3,
              "culture": 3, "learning": 3},
}  # fmt: skip
EARLIER_LEANING = {
    "international": {"respect": 4, "voice": 5, "transparency": 5, "adaptability": 4,
                      "culture": 4, "learning": 4},
    "local": {"respect": 3, "voice": 1, "transparency": 2, "adaptability": 2,
              "culture": 3, "learning": 2},
}  # fmt: skip


def _demo_answers(round_, side, seed, leaning=LEANING):
    """Answers a respondent of this side might give: around the side's leaning per element,
    every fourth practice only partly done."""
    import random

    from counterpart.assessments.questionnaire import questionnaire_form
    from counterpart.frameworks.selectors import version_content

    chooser = random.Random(seed)  # noqa: S311 (invented answers, not secrets)
    questions = version_content(round_.framework_version).questions_by_name
    answers = {}
    form = questionnaire_form(round_, side, "en")
    for position, (name, field) in enumerate(form.fields.items()):
        if name.endswith(("_happened", "_difference")):  # what we said we would do
            answers[name] = chooser.choice([v for v, _label in field.choices][:3])
            continue
        question = questions.get(name)
        if question is None or not hasattr(field, "choices"):
            continue
        values = [str(v) for v, _label in field.choices]
        if question.part == "relationship":
            level = leaning[side].get(question.element, 3) + chooser.choice((-1, 0, 0, 1))
            answers[name] = str(min(5, max(1, level)))
        elif question.part == "checklist":
            answers[name] = "partly" if position % 4 == 0 else "done"
        elif values and question.base_type == "select_one":
            answers[name] = values[0]
    return answers


def _answer(round_, respondent, seed, leaning=LEANING):
    from counterpart.assessments.services import draft_save, response_submit

    respondent.round = round_
    draft_save(
        respondent=respondent,
        answers=_demo_answers(round_, respondent.side, seed, leaning),
        page=1,
        language=respondent.language,
    )
    response_submit(respondent=respondent)


def _rounds(people, organisations, partnerships):
    """A released round with both sides' answers, an open round still sealed, and a partner
    feedback round of Horizon waiting for more answers."""
    from datetime import timedelta

    from django.utils import timezone

    from counterpart.assessments import partner_feedback, services
    from counterpart.commitments.demo import load_commitments
    from counterpart.frameworks.models import FrameworkVersion

    builtin = FrameworkVersion.objects.filter(framework__organisation__isnull=True).latest("number")
    today = timezone.localdate()
    david = people["david.intl-editor@horizon.example"]
    grace = people["grace.local-editor@kalobeyei.example"]
    dates = {"opens_on": today, "closes_on": today + timedelta(days=21)}

    kalobeyei = partnerships["Youth-led protection in Kalobeyei"]
    asked = [
        (Side.INTERNATIONAL, "david.intl-editor@horizon.example", "David Okafor", "en"),
        (Side.INTERNATIONAL, "sofia.intl-viewer@horizon.example", "Sofia Lindqvist", "en"),
        (Side.LOCAL, "joseph.local-admin@kalobeyei.example", "Joseph Deng", "ar"),
        (Side.LOCAL, "grace.local-editor@kalobeyei.example", "Grace Nyakim", "en"),
        (Side.LOCAL, "hassan.local-viewer@kalobeyei.example", "Hassan Abdi", "fr"),
    ]
    for title, stage, leaning, days_ago in (
        ("Kalobeyei: co-design check", Stage.CO_DESIGN, EARLIER_LEANING, 330),
        ("Kalobeyei: mid-term reflection", Stage.IMPLEMENTATION, LEANING, 0),
    ):
        released = services.round_create(
            actor=david,
            partnership=kalobeyei,
            organisation=organisations["horizon"],
            title=title,
            stage=stage,
            framework_version=builtin,
            privacy="organisation",
            conversation_mode=False,
            **dates,
        )
        services.round_accept(actor=grace, round_=released, side=Side.LOCAL)
        for side, email, name, language in asked:
            # Each side names its own people.
            services.respondent_add(
                actor=david if side == Side.INTERNATIONAL else grace,
                round_=released,
                side=side,
                email=email,
                name=name,
                language=language,
            )
        services.round_open(actor=david, round_=released)
        for seed, respondent in enumerate(released.respondents.order_by("email")):
            _answer(released, respondent, seed + days_ago, leaning)
        if days_ago:
            _move_back(released, days_ago)
            load_commitments(released, people, days_ago)

    maartje = people["maartje@northbridge.example"]
    kakuma = partnerships["Youth sports for peace, Kakuma"]
    sealed = services.round_create(
        actor=maartje,
        partnership=kakuma,
        organisation=organisations["northbridge"],
        title="Kakuma: lessons from the closure",
        stage=Stage.TRANSITION,
        framework_version=builtin,
        privacy="named",
        conversation_mode=True,
        **dates,
    )
    services.round_accept(actor=grace, round_=sealed, side=Side.LOCAL)
    for side, email, name in (
        (Side.INTERNATIONAL, "maartje@northbridge.example", "Maartje de Vries"),
        (Side.LOCAL, "grace.local-editor@kalobeyei.example", "Grace Nyakim"),
        (Side.LOCAL, "joseph.local-admin@kalobeyei.example", "Joseph Deng"),
    ):
        adder = maartje if side == Side.INTERNATIONAL else grace
        services.respondent_add(actor=adder, round_=sealed, side=side, email=email, name=name)
    services.round_open(actor=maartje, round_=sealed)
    for seed, respondent in enumerate(sealed.respondents.exclude(name="Joseph Deng")):
        _answer(sealed, respondent, 10 + seed)

    feedback = services.round_create_pooled(
        actor=david,
        organisation=organisations["horizon"],
        title="Partner feedback on Horizon Relief International, 2026",
        framework_version=builtin,
        threshold=4,
        conversation_mode=False,
        **dates,
    )
    partners = [organisations[k] for k in ("kalobeyei", "mafraq", "frontera", "turkana")]
    partner_feedback.respondents_add_members(
        actor=david, round_=feedback, organisations=partners, language="en"
    )
    # Each partner's admin adds a colleague who works with Horizon.
    for key, admin in (("mafraq", "rania"), ("frontera", "camila"), ("turkana", "akai")):
        partner_feedback.respondent_add_partner_staff(
            actor=people[f"{admin}@{key}.example"],
            round_=feedback,
            organisation=organisations[key],
            email=f"staff@{key}.example",
        )
    services.round_open(actor=david, round_=feedback)
    for seed, respondent in enumerate(feedback.respondents.order_by("email")[:3]):
        _answer(feedback, respondent, 20 + seed)


def _move_back(round_, days):
    """Date a released round (and its kept scores) `days` earlier, as if run back then."""
    from datetime import timedelta

    from counterpart.assessments.models import Round
    from counterpart.insights.models import RoundSummary

    shift = timedelta(days=days)
    round_.refresh_from_db()
    Round.objects.filter(pk=round_.pk).update(
        created_at=round_.created_at - shift,
        opens_on=round_.opens_on - shift,
        closes_on=round_.closes_on - shift,
        closes_at=round_.closes_at - shift,
        opened_at=round_.opened_at - shift,
        closed_at=round_.closed_at - shift,
        released_at=round_.released_at - shift,
    )
    RoundSummary.objects.filter(round=round_).update(released_at=round_.released_at - shift)
    round_.responses.update(submitted_on=round_.released_at.date() - shift)


def _workbook_edit(data, title, labels):
    """The XLSForm with another title and some English labels reworded, as a person would
    do in a spreadsheet."""
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook["settings"]["A2"] = title
    survey = workbook["survey"]
    headers = [cell.value for cell in survey[1]]
    english = headers.index("label::English (en)") + 1
    for row in survey.iter_rows(min_row=2):
        if row[1].value in labels:
            survey.cell(row=row[0].row, column=english, value=labels[row[1].value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _adapted_framework(actor, organisation):
    """Horizon adapts the built-in framework, then rewords it after partners' feedback."""
    data = (BUILTIN_DIRECTORY / "equitable-partnerships.xlsx").read_bytes()
    title = "Horizon partnership check"
    first = framework_version_import(
        actor=actor,
        organisation=organisation,
        data=_workbook_edit(data, title, {}),
        source_name="horizon-partnership-check.xlsx",
        note="Started from Equitable Partnerships, version 1.",
    )
    framework_version_import(
        actor=actor,
        organisation=organisation,
        framework=first.framework,
        data=_workbook_edit(
            data,
            title,
            {
                "respect_time_intl": "We give our partner at least two weeks to answer a request.",
                "respect_time_local": "Our partner gives us at least two weeks to answer a "
                "request.",
            },
        ),
        source_name="horizon-partnership-check-v2.xlsx",
        note="Deadlines made concrete, as Kalobeyei Youth Bridges asked.",
    )


def _stage_date(start, step, last):
    """Spread the stage history plausibly around the partnership's start date."""
    anchor = start or date(2026, 10, 1)
    # Exploring and co-design come before the start, the rest after it.
    offset_months = (step - 2) * 4 if last else 0
    month = anchor.month - 1 + offset_months
    year = anchor.year + month // 12
    return date(year, month % 12 + 1, 1)
