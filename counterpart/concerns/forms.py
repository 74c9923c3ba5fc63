from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DESCRIPTION_MAX, MESSAGE_MAX, Category, ReplyBy

CATEGORY_HELP = _(
    "Safeguarding (abuse, exploitation or harm to people) and fraud or corruption concerns are "
    "read only by the organisation's focal points, not by its other staff."
)


class RaiseForm(forms.Form):
    """A concern, signed in (from a partnership) or anonymous (through the public link)."""

    organisation = forms.TypedChoiceField(label=_("Raise it with"), coerce=int)
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        help_text=CATEGORY_HELP,
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Say what happened, when, and who was involved, as far as you are willing."),
    )
    reply_by = forms.ChoiceField(
        label=_("Do you want a reply?"), choices=ReplyBy.choices, widget=forms.RadioSelect
    )
    contact = forms.CharField(
        label=_("Email address or phone number for the reply"),
        max_length=200,
        required=False,
        help_text=_("Only if you want the reply by email or by phone."),
    )

    def __init__(self, *args, organisations=None, anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None or len(organisations) < 2:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        app = (
            _("Yes, through my private link (shown after I send this)")
            if anonymous
            else _("Yes, here in Counterpart (under “My concerns”)")
        )
        self.fields["reply_by"].choices = [
            (ReplyBy.APP, app),
            (ReplyBy.EMAIL, _("Yes, by email")),
            (ReplyBy.PHONE, _("Yes, by phone")),
            (ReplyBy.NONE, _("No, I do not need a reply")),
        ]
        self.fields["reply_by"].initial = ReplyBy.APP
        if anonymous:
            self.fields["contact"].help_text = _(
                "Only if you want the reply by email or by phone. Giving it may tell the "
                "organisation who you are."
            )


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, label=None, help_text=None, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["message"]
        field.required = required
        if label:
            field.label = label
        if help_text:
            field.help_text = help_text


class CodeForm(forms.Form):
    """The private code of an anonymous concern: the part of its private link after "#"."""

    code = forms.CharField(
        label=_("Your private code"),
        max_length=500,
        help_text=_(
            "The code at the end of your private link, after the # sign. You can also paste "
            "the whole link."
        ),
        # Browsers keep what is typed in fields for later suggestions: not this one.
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        # People paste the whole link as often as the code: keep what follows the last "#".
        return self.cleaned_data["code"].rsplit("#", 1)[-1].strip()


class FocalPointChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (%(email)s), %(role)s") % {
            "name": obj.user.full_name or obj.user.email,
            "email": obj.user.email,
            "role": obj.get_role_display(),
        }


class SettingsForm(forms.Form):
    focal_points = FocalPointChoices(
        label=_("Focal points"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "They receive, acknowledge and answer concerns, and they alone read safeguarding "
            "and fraud concerns. If you name nobody, the admins are the focal points."
        ),
    )
    acknowledge_days = forms.IntegerField(
        label=_("Days to acknowledge"),
        min_value=1,
        max_value=60,
        help_text=_("Counted from the day a concern arrives, in the organisation's time zone."),
    )
    respond_days = forms.IntegerField(
        label=_("Days to respond"),
        min_value=1,
        max_value=180,
        help_text=_(
            "A concern not acknowledged or answered by the end of its last day is escalated "
            "to the admins. A change applies to concerns received from then on."
        ),
    )
    intake_open = forms.BooleanField(
        label=_("Accept concerns through our public link"),
        required=False,
        help_text=_(
            "Anyone with the link can raise a concern without an account. Nothing that says "
            "who they are is stored."
        ),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focal_points"].queryset = members
