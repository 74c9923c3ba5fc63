"""The funding pages in Arabic (right to left) and French, and the import report read in the
reader's language."""

import pytest

from tests.conftest import fixture_bytes, import_funding_file


@pytest.mark.parametrize(
    ("language", "direction", "words"),
    [
        ("ar", "rtl", ["التمويل والتوطين", "حصة المنظمات التي يقودها لاجئون"]),
        ("fr", "ltr", ["Financement et localisation", "Part aux organisations dirigées"]),
    ],
)
def test_the_funding_pages_speak_the_readers_language(
    world, media_in_tmp, language, direction, words
):
    world.intl.iati_identifier = "GB-CHC-1111111"
    world.intl.save()
    record = import_funding_file(world.intl, world.intl_editor, fixture_bytes("ours-2.03.xml"))
    client = world.client_for(world.intl_viewer)
    base = f"/organisations/{world.intl.pk}/funding/"
    page = client.get(base + "?year=2024", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'lang="{language}" dir="{direction}"' in page
    for word in words:
        assert word in page
    for tail in ("flows/", "receivers/", "rates/", f"imports/{record.pk}/", "figures/local/"):
        response = client.get(base + tail, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, tail
        assert "Skipped" not in response.content.decode()
