from django import template
from django.utils.html import format_html

from counterpart.common.submissions import FIELD, new_key

register = template.Library()


@register.simple_tag
def submission_key():
    """A hidden field with a fresh one-time key, for a form that creates something: sent twice,
    it stores once (see counterpart/common/submissions.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
