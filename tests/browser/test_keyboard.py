"""A person who uses only the keyboard answers a questionnaire page: the skip link comes first
and is shown when it has the focus, each question is one stop in reading order, arrows choose
an answer, and the focus is always visible."""

import pytest

from counterpart.assessments.models import Draft
from counterpart.assessments.services import respondent_link
from counterpart.partnerships.models import Side
from tests.conftest import make_round

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return {
        tag: e.tagName.toLowerCase(), name: e.name || "", text: (e.innerText || "").trim(),
        id: e.id, value: e.value || "",
        visible: box.width > 0 && box.bottom > 0 && box.right > 0
                 && box.top < innerHeight && box.left < innerWidth,
        outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    };
}"""


def focused(visitor):
    return visitor.page.evaluate(FOCUSED)


def test_a_page_of_questions_is_answered_with_the_keyboard_alone(site, world):
    round_ = make_round(world)
    respondent = round_.respondents.get(side=Side.INTERNATIONAL)
    person = site.visitor("keyboard", phone=True)
    person.go(respondent_link(respondent))
    person.press("Start")
    keys = person.page.keyboard

    keys.press("Tab")
    skip = focused(person)
    assert skip["text"] == "Skip to the content" and skip["visible"] and skip["outlined"]
    keys.press("Enter")
    assert focused(person)["id"] == "main"

    # Each question of the page, in the order it is read, then the buttons.
    groups = person.page.locator("main fieldset.question").evaluate_all(
        "sets => sets.map(s => s.querySelector('input').name)"
    )
    assert len(groups) >= 3
    for name in groups:
        keys.press("Tab")
        now = focused(person)
        assert now["name"] == name, (now, name)
        assert now["visible"] and now["outlined"], now
        keys.press("ArrowDown")  # chooses the second answer of the scale
    keys.press("Tab")
    button = focused(person)
    assert button["tag"] == "button" and button["text"] == "Save and continue"
    assert button["outlined"]
    with person.page.expect_navigation():
        keys.press("Enter")
    person.arrived("keyboard-saved")
    assert "/respond/page/2/" in person.page.url
    answers = Draft.objects.get(respondent=respondent).answers
    assert [answers[name] for name in groups] == ["2"] * len(groups)
