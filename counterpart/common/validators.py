"""Validators shared by the apps."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def single_line(value: str) -> None:
    """Names and titles are one line of text: no line breaks or other control characters.

    They travel into email subjects and file names, where a line break is an injection."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(_("Write this on one line, without line breaks."), code="single_line")
