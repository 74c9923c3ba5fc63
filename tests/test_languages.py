"""The interface speaks English, French, Spanish and Arabic; Arabic lays out right to left."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"


def switch(client, language):
    return client.post(reverse("set_language"), {"language": language, "next": "/"})


@pytest.mark.parametrize(
    ("language", "direction", "sign_in"),
    [("en", "ltr", "Sign in"), ("fr", "ltr", "Se connecter"), ("es", "ltr", "Iniciar sesión"),
     ("ar", "rtl", "تسجيل الدخول")],
)  # fmt: skip
def test_switching_language_changes_the_page(db, client, language, direction, sign_in):
    response = switch(client, language)
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert f'lang="{language}"' in page
    assert f'dir="{direction}"' in page
    assert sign_in in page


def test_a_signed_in_page_in_arabic_is_translated(world, client):
    client.force_login(world.local_viewer)
    switch(client, "ar")
    page = client.get(reverse("partnership_detail", args=[world.partnership.pk])).content.decode()
    assert 'dir="rtl"' in page
    assert "Agreement terms" not in page
    assert "كينيا" in page  # the country name is translated too


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_catalogue_is_complete_and_compiled(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:5]}"
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        got = compiled.get((entry.msgctxt, entry.msgid))
        assert got is not None, f"{language}: the .mo file is older than the .po: {entry.msgid}"
        if entry.msgid_plural:
            assert got[1] == {int(k): v for k, v in entry.msgstr_plural.items()}, entry.msgid
        else:
            assert got[0] == entry.msgstr, f"{language}: the .mo differs for {entry.msgid}"


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_translations_keep_their_placeholders(language):
    import re

    pattern = re.compile(r"%\(\w+\)s|<[^>]+>")
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in po.translated_entries():
        wanted = sorted(pattern.findall(entry.msgid_plural or entry.msgid))
        strings = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in strings:
            found = sorted(set(pattern.findall(text)))
            assert set(found) <= set(wanted), f"{language}: {entry.msgid!r} → {text!r}"
            if not entry.msgid_plural:
                assert set(found) == set(wanted), f"{language}: {entry.msgid!r} → {text!r}"
