"""Validators shared by the apps."""

import unicodedata
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def single_line(value: str) -> None:
    """Names and titles are one line of text: no line breaks or other control characters.

    They travel into email subjects and file names, where a line break is an injection."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(_("Write this on one line, without line breaks."), code="single_line")


def known_time_zone(value: str) -> None:
    """A time zone from the IANA database, such as Africa/Nairobi."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")
