"""The demonstration data is plausible and covers what the product shows."""

import io

from django.core.management import call_command

from counterpart.common.demo import DEMO_PASSWORD, PEOPLE
from counterpart.organisations.models import Organisation
from counterpart.partnerships.models import Partnership, PartyProposal, Stage


def test_demo_loads_once_with_every_stage_and_side(db, client):
    call_command("load_demo", stdout=io.StringIO())
    output = io.StringIO()
    call_command("load_demo", stdout=output)  # a second run changes nothing
    assert "already loaded" in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()
    organisations = list(Organisation.objects.all())
    international = [o for o in organisations if not o.is_local]
    local = [o for o in organisations if o.is_local]
    assert len([o for o in international if o.affiliate_of is None]) >= 3
    assert len(local) >= 10
    assert len({o.country.code for o in local}) >= 4
    assert len([o for o in local if o.is_refugee_led]) >= 4
    assert set(Partnership.objects.values_list("stage", flat=True)) == set(Stage.values)
    # Twelve accepted partnerships, and two proposals still waiting for an answer.
    assert Partnership.objects.filter(parties__side="local").distinct().count() == 12
    waiting = PartyProposal.objects.filter(status="waiting")
    assert sorted(p.organisation.name for p in waiting) == [
        "Kalobeyei Youth Bridges",
        "Lodwar Youth Radio",
    ]

    for email, _name, _key, _role in PEOPLE[:6]:
        response = client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/partnerships/").status_code == 200
        client.post("/accounts/logout/")


def test_demo_has_a_released_round_a_sealed_one_and_partner_feedback(db, client):
    from counterpart.assessments.models import Round

    call_command("load_demo", stdout=io.StringIO())
    states = dict(Round.objects.values_list("title", "state"))
    assert states["Kalobeyei: mid-term reflection"] == "released"
    assert states["Kakuma: lessons from the closure"] == "open"
    feedback = Round.objects.get(kind="pooled")
    assert feedback.state == "open" and feedback.responses.count() == 3
    client.post(
        "/accounts/login/",
        {"username": "joseph.local-admin@kalobeyei.example", "password": DEMO_PASSWORD},
    )
    released = Round.objects.get(title="Kalobeyei: mid-term reflection")
    page = client.get(f"/rounds/{released.pk}/results/").content.decode()
    assert "International side" in page and "Local side" in page
    assert "blind spot" in page
    trend = client.get(f"/partnerships/{released.partnership_id}/trend/").content.decode()
    assert trend.index("Kalobeyei: co-design check") < trend.index("Kalobeyei: mid-term reflection")
    # Joseph, Kalobeyei's admin, sees the proposal waiting for his answer.
    assert "Digital skills for young refugees" in client.get("/partnerships/").content.decode()
    sealed = Round.objects.get(title="Kakuma: lessons from the closure")
    assert client.get(f"/rounds/{sealed.pk}/results/").status_code == 403
    assert client.get(f"/rounds/{feedback.pk}/").status_code == 404  # Horizon's own round


def test_demo_commitments_show_each_state_and_are_followed_up(db):
    from counterpart.commitments.models import FollowUpAnswer
    from counterpart.commitments.selectors import commitments_of_partnership
    from counterpart.partnerships.models import Partnership

    call_command("load_demo", stdout=io.StringIO())
    kalobeyei = Partnership.objects.get(title="Youth-led protection in Kalobeyei")
    statuses = sorted(c.status for c in commitments_of_partnership(kalobeyei))
    assert statuses == ["dropped", "kept", "kept_late", "overdue"]
    midterm = kalobeyei.rounds.get(title="Kalobeyei: mid-term reflection")
    assert midterm.follow_ups.count() == 4
    assert FollowUpAnswer.objects.filter(response__round=midterm).count() == 20  # 5 people × 4
