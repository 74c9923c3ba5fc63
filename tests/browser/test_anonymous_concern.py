"""A concern raised without a name, from the organisation's public link on a phone in Arabic, is
acknowledged and answered by the focal point; the person who raised it reads the answer through
their private link, with JavaScript (the link opens the concern) and without (they paste the
code)."""

import pytest

from counterpart.concerns.models import Concern
from tests.conftest import PASSWORD

from .conftest import say

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESCRIPTION = "طُلب منا ألا نتكلم في اجتماع التنسيق الأخير."
ANSWER = "We are sorry. From the next meeting, your organisation co-chairs it."


def test_an_anonymous_concern_is_answered_and_read_through_the_private_link(site, world):
    # The admin names herself focal point and opens the public link.
    admin = site.visitor("focal-point")
    admin.sign_in(world.intl_admin, PASSWORD)
    admin.go(f"/organisations/{world.intl.pk}/concerns/settings/")
    admin.page.locator("main input[name=focal_points]").first.check()
    admin.fill(intake_open=True)
    admin.press("Save the settings", "settings")
    public_link = admin.page.locator("main .long-link a").get_attribute("href")
    assert "/concerns/to/" in public_link

    # Someone without an account raises a concern, in Arabic, on a phone.
    raiser = site.visitor("raiser", language="ar", phone=True)
    raiser.go(public_link, "intake")
    assert raiser.page.locator("html").get_attribute("dir") == "rtl"
    raiser.fill(category="respect", description=DESCRIPTION, reply_by="app")
    raiser.press("Send the concern", "sent")
    private_link = raiser.page.locator("main .long-link a").get_attribute("href")
    code = raiser.page.locator("main .long-link code").inner_text()
    assert private_link.endswith("/concerns/track/#" + code)
    concern = Concern.objects.get()
    assert concern.raised_by is None and concern.description == DESCRIPTION
    raiser.context.close()

    # The focal point is told, acknowledges it and answers.
    admin.go(site.link_in_mail(world.intl_admin.email, "/concerns/"), "concern")
    assert DESCRIPTION in admin.text()
    # The acknowledgement comes with a message already written, which the focal point keeps.
    admin.press("Acknowledge", "acknowledged")
    admin.fill(**{"respond-message": ANSWER})
    admin.press("Send the response", "responded")
    concern.refresh_from_db()
    assert concern.status == "responded"

    # Later, on another phone, the private link opens the concern and shows the answer.
    later = site.visitor("raiser-later", language="ar", phone=True)
    later.go_and_wait(private_link, "main .kept", "answer-read")
    assert ANSWER in later.text()
    assert code not in later.page.url  # the code never reaches an address the server sees

    # Without JavaScript the same link asks for the code, which opens the same page.
    plain = site.visitor("raiser-without-script", language="ar", phone=True, javascript=False)
    plain.go(private_link, "paste-the-code")
    assert say("ar", "Follow your concern") in plain.text("h1")
    plain.fill(code=code)
    plain.press("Open my concern", "answer-read")
    assert ANSWER in plain.text()
    assert all(visitor.all_pages_checked() for visitor in site.visitors)
