"""Links to the concerns channel from the organisation page, without its view knowing about
concerns."""

from django import template

from counterpart.concerns.permissions import standing_in

register = template.Library()


@register.simple_tag(takes_context=True)
def concerns_standing(context, organisation, membership=None):
    """The person's standing in the organisation's concerns channel (None for non-members)."""
    return standing_in(context["request"].user, organisation, membership)
