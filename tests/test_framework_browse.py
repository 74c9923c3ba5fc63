"""Reading a framework: elements, mirrored pairs, foundations and stage checklists, in the
reader's language, and organisations' own frameworks only where they are shared."""

import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import builtin_version, make_framework

pytestmark = pytest.mark.django_db


def _page(client, version, **params):
    response = client.get(reverse("framework_version", args=[version.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_anyone_can_read_the_builtin_framework(client):
    version = builtin_version()
    listing = client.get(reverse("framework_list")).content.decode()
    assert "Equitable Partnerships" in listing
    page = _page(client, version)
    assert "6 elements, 31 mirrored questions, 26 checklist practices and 11 facts." in page
    assert "Shared voice and ownership" in page
    assert "Design, budget, priorities, hiring and strategy are decided together." in page


def test_each_pair_shows_both_sides_the_prompt_and_the_foundations(client):
    page = _page(client, builtin_version())
    start = page.index("We show our partner the full budget for the work")
    item = page[start - 300 : start + 1200]
    assert "International side says:" in item
    assert "Local side says:" in item
    assert "Our partner shows us the full budget for the work, including their own costs." in item
    assert "Has the local partner seen the whole budget" in item
    assert 'href="#foundation-transparency"' in item
    assert 'href="#foundation-trust"' in item


def test_the_foundations_lens_lists_the_questions_that_inform_each(client):
    page = _page(client, builtin_version())
    section = page[page.index('id="foundation-co_visibility"') :]
    section = section[: section.index("</section>")]
    assert "Co-visibility (the local partner is credited)" in section
    assert "When we report on the work, in publications or in the media" in section


def test_stage_checklists_and_facts_are_listed_by_stage(client):
    page = _page(client, builtin_version())
    agreement = page[page.index('id="stage-agreement"') :]
    agreement = agreement[: agreement.index("</section>")]
    assert "The agreement pays a fair share of the local partner&#x27;s overhead" in agreement
    assert "Does the funding last 24 months or more?" in agreement
    assert "Choose one of: Yes · No · I don&#x27;t know" in agreement
    assert "Done · Partly done · Not yet · Does not apply" in page
    review = page[page.index('id="stage-review"') :]
    assert "Choose any of: Named in the text" in review


@pytest.mark.parametrize(
    ("language", "direction", "text"),
    [
        ("fr", "ltr", "Respect mutuel"),
        ("es", "ltr", "Respeto mutuo"),
        ("ar", "rtl", "الاحترام المتبادل"),
    ],
)
def test_the_questions_read_in_each_language(client, language, direction, text):
    page = _page(client, builtin_version(), lang=language)
    assert f'<div lang="{language}" dir="{direction}" class="framework">' in page
    assert text in page


def test_the_interface_language_chooses_the_questions_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = _page(client, builtin_version())
    assert '<div lang="es" dir="ltr" class="framework">' in page
    assert "Respeto mutuo" in page


def test_an_unknown_language_falls_back_to_the_default(client):
    page = _page(client, builtin_version(), lang="xx")
    assert '<div lang="en" dir="ltr" class="framework">' in page


def test_the_language_links_name_each_language_in_itself(client):
    page = _page(client, builtin_version())
    assert 'lang="ar" hreflang="ar">العربيّة</a>' in page
    assert 'lang="fr" hreflang="fr">français</a>' in page


def test_an_organisations_framework_is_shared_with_its_partners_only(world):
    version = make_framework(world.intl, world.intl_editor)
    for user in (world.intl_viewer, world.local_viewer):
        listing = world.client_for(user).get(reverse("framework_list")).content.decode()
        assert "Our partnership check" in listing
    outsider = world.client_for(world.outsider)
    assert "Our partnership check" not in outsider.get(reverse("framework_list")).content.decode()
    assert outsider.get(reverse("framework_version", args=[version.pk])).status_code == 404


def test_the_version_page_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    version = builtin_version()
    with django_assert_max_num_queries(8):
        client.get(reverse("framework_version", args=[version.pk]))
