"""URL converters."""


class IdConverter:
    """A database id in a URL: digits only, and short enough for every database's integers
    (a longer number is simply not found, rather than an overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
