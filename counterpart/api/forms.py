from django import forms
from django.utils.translation import gettext_lazy as _

from counterpart.common.forms import DateInput


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: the monthly report, or our data warehouse."),
    )
    expires_on = forms.DateField(
        label=_("Stops working after"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for a token that works until you revoke it."),
    )
