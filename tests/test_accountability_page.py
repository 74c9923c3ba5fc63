"""The public accountability page: off unless the organisation publishes it; commitments made
and kept per year, and partner feedback scores only from rounds that met their threshold; no
partner named."""

from django.urls import reverse
from django.utils import timezone

from counterpart.assessments.services import round_close
from counterpart.commitments import services
from counterpart.organisations.services import organisation_update

from .conftest import (
    agreed_commitment,
    make_pooled_round,
    propose_commitment,
    released_feedback_round,
    released_round,
)


def _publish(world):
    organisation_update(
        actor=world.intl_admin, organisation=world.intl, publish_accountability=True
    )


def test_the_page_does_not_exist_until_the_organisation_publishes_it(world, client):
    url = reverse("accountability_page", args=[world.intl.pk])
    assert client.get(url).status_code == 404
    _publish(world)
    assert client.get(url).status_code == 200


def test_commitments_made_and_kept_per_year_without_naming_partners(world, client):
    _publish(world)
    first = released_round(world, {"international": [{}], "local": [{}]})
    kept = agreed_commitment(world, first, title="Budget revisions shared first")
    agreed_commitment(world, first, title="Joint field visits")
    propose_commitment(world, first, title="Only proposed")
    # Owned by the partner: it is the partner's commitment, not ours.
    agreed_commitment(world, first, owner_side="local", title="Partner's own")
    services.commitment_report(actor=world.intl_editor, commitment=kept, done=True, note="x")
    services.commitment_confirm(actor=world.local_editor, commitment=kept)

    page = client.get(reverse("accountability_page", args=[world.intl.pk])).content.decode()
    year = timezone.now().year
    row = page[page.index(f'<th scope="row">{year}</th>') :].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells == ["2", "1", "1", "1", "0", "0"]  # made, kept, on time, open, overdue, dropped
    assert world.local.name not in page
    assert world.partnership.title not in page
    assert "Budget revisions shared first" not in page


def test_partner_feedback_scores_show_only_once_the_threshold_is_met(world, client):
    _publish(world)
    waiting = make_pooled_round(world)  # open, nobody answered
    page = client.get(reverse("accountability_page", args=[world.intl.pk])).content.decode()
    assert "No partner feedback round has results to show yet." in page
    # One partner feedback round at a time: the first closes (below its threshold) first.
    round_close(actor=world.intl_editor, round_=waiting)
    released_feedback_round(world.intl, world.intl_editor, {"respect_advice_local": "5"})
    page = client.get(reverse("accountability_page", args=[world.intl.pk])).content.decode()
    assert "3 responses" in page
    assert "<td>100</td>" in page


def test_the_setting_is_only_an_admins(world):
    form = world.client_for(world.intl_admin).get(
        reverse("organisation_edit", args=[world.intl.pk])
    )
    assert "publish our accountability page" in form.content.decode().lower()
    response = world.client_for(world.intl_editor).post(
        reverse("organisation_edit", args=[world.intl.pk]), {"publish_accountability": "on"}
    )
    assert response.status_code == 403
    world.intl.refresh_from_db()
    assert not world.intl.publish_accountability
