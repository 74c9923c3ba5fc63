"""The dialogue guide: its agenda, its prompts and facts, and the meeting's notes."""

from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.insights.models import DialogueNote
from counterpart.partnerships.models import Side, Stage

from .conftest import make_round, released_round

ANSWERS = {
    Side.INTERNATIONAL: [
        {
            "respect_advice_intl": "5",
            "transparency_budget_intl": "4",
            "check_agreement_overhead": "done",
            "fact_overhead_covered": "yes",
        }
    ],
    Side.LOCAL: [
        {
            "respect_advice_local": "1",
            "transparency_budget_local": "3",
            "check_agreement_overhead": "not_yet",
            "fact_overhead_covered": "no",
        }
    ],
}


def _guide(world, round_, user=None):
    client = world.client_for(user or world.local_editor)
    return client.get(reverse("dialogue_guide", args=[round_.pk])).content.decode()


def test_the_largest_gap_comes_first_with_its_prompt_and_the_facts_on_its_element(world):
    round_ = released_round(world, ANSWERS, stage=Stage.AGREEMENT)
    html = _guide(world, round_)
    advice = html.index('id="topic-respect_advice"')
    budget = html.index('id="topic-transparency_budget"')
    practice = html.index('id="topic-check_agreement_overhead"')
    assert advice < budget
    # 100 against 0 is a gap; 75 against 50 is a gap too; the practice, half done, follows them.
    assert advice < practice
    assert "Blind spot: the international side rates itself higher (\u200e+100 points)" in html
    section = html[budget : html.index("</li>", budget)]
    assert "Does the funding pay for the local partner" in section  # a transparency fact
    assert "Yes, fully" in section and "No" in section
    assert "To discuss:" in html[advice : html.index("</li>", advice)]


def test_conversation_mode_keeps_the_order_and_the_prompts_without_numbers(world):
    round_ = released_round(world, ANSWERS, stage=Stage.AGREEMENT, conversation_mode=True)
    html = _guide(world, round_)
    assert html.index('id="topic-respect_advice"') < html.index('id="topic-transparency_budget"')
    assert "The two sides see this differently" in html
    assert "+100" not in html and "(1)" not in html and "· 100" not in html
    assert "To discuss:" in html


def test_an_editor_of_either_side_keeps_the_meetings_notes(world):
    round_ = released_round(world, ANSWERS, stage=Stage.AGREEMENT)
    client = world.client_for(world.local_editor)
    response = client.post(
        reverse("dialogue_note", args=[round_.pk]),
        {
            "topic": "respect_advice",
            "notes": "Advice is asked late.",
            "next_steps": "Ask before the plan is drafted.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#topic-respect_advice")
    note = DialogueNote.objects.get(round=round_, topic="respect_advice")
    assert note.next_steps == "Ask before the plan is drafted."
    event = AuditEvent.objects.get(action="dialogue_note_save")
    assert event.organisation == world.local
    html = _guide(world, round_, world.intl_viewer)
    assert "Ask before the plan is drafted." in html
    assert "Save the notes" not in html  # viewers read, they do not write
    client.post(
        reverse("dialogue_note", args=[round_.pk]),
        {"topic": "respect_advice", "notes": "Changed.", "next_steps": ""},
    )
    assert DialogueNote.objects.get(round=round_, topic="respect_advice").notes == "Changed."
    second = AuditEvent.objects.filter(action="dialogue_note_save").order_by("-pk").first()
    assert second.before["notes"] == "Advice is asked late."


def test_a_wrong_topic_or_a_viewer_changes_nothing(world):
    round_ = released_round(world, ANSWERS, stage=Stage.AGREEMENT)
    url = reverse("dialogue_note", args=[round_.pk])
    forged = world.client_for(world.intl_editor).post(
        url, {"topic": "no_such_topic", "notes": "x", "next_steps": ""}
    )
    assert forged.status_code == 400
    assert "This topic is not part of the round" in forged.content.decode()
    too_long = world.client_for(world.intl_editor).post(
        url, {"topic": "respect_advice", "notes": "x" * 5001, "next_steps": ""}
    )
    assert too_long.status_code == 400
    viewer = world.client_for(world.local_viewer).post(
        url, {"topic": "respect_advice", "notes": "x", "next_steps": ""}
    )
    assert viewer.status_code == 403
    assert not DialogueNote.objects.exists()


def test_a_sealed_round_has_no_guide_and_takes_no_notes(world):
    round_ = make_round(world)
    client = world.client_for(world.intl_editor)
    assert client.get(reverse("dialogue_guide", args=[round_.pk])).status_code == 403
    response = client.post(
        reverse("dialogue_note", args=[round_.pk]),
        {"topic": "respect_advice", "notes": "x", "next_steps": ""},
    )
    assert response.status_code == 403
    assert not DialogueNote.objects.exists()
