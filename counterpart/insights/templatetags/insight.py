"""How scores and gaps read on a page: whole points, a sign on gaps, a dash for none."""

from django import template

from counterpart.insights import scoring

register = template.Library()


@register.filter
def points(value):
    return scoring.points_text(value)


@register.filter
def signed(value):
    """A gap with its sign: +12 when the international side rates itself higher."""
    return scoring.signed_text(value)


@register.filter
def at(mapping, key):
    """The value under a key (a side, an element code) in a mapping, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def bar_segments(distribution, width=100):
    """[(x, width, value)] to draw the answers of one side as a stacked bar."""
    total = sum(count for _value, _label, count in distribution)
    if not total:
        return []
    segments, x = [], 0.0
    for value, _label, count in distribution:
        if count:
            share = width * count / total
            segments.append((round(x, 2), round(share, 2), value))
            x += share
    return segments


@register.filter
def given(distribution):
    """The (value, label, count) entries that at least one answer chose."""
    return [entry for entry in distribution if entry[2]]
