"""How organisation names are compared: two names are the same if they differ only in case,
accents, punctuation or spacing ("Horizon Relief Int'l." is not "Horizon Relief International",
but "HORIZON  relief internátional" is)."""

import unicodedata

from django.utils.translation import gettext_lazy


def name_key(name: str) -> str:
    """The form of a name used to compare it with others (never shown)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    kept = []
    for character in decomposed:
        if unicodedata.combining(character):
            continue  # accents and other marks
        if character.isalnum():
            kept.append(character.casefold())
        else:
            kept.append(" ")
    return " ".join("".join(kept).split())


# Why a new or renamed organisation is refused when another in its country has the same name
# (see docs/decisions/0011-organisation-names.md).
SAME_NAME_MESSAGE = gettext_lazy(
    "An organisation with this name is already on Counterpart in this country. If it is "
    "yours, ask one of its admins to invite you. If it is another organisation, add what tells "
    "yours apart, for example its town."
)
