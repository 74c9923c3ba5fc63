from django import forms
from django.utils.translation import gettext_lazy as _

from .xlsform import MAX_UPLOAD_BYTES


class FrameworkUploadForm(forms.Form):
    """An XLSForm file, and where it goes: a new framework of one of the person's organisations,
    or the next version of a framework one of them owns."""

    target = forms.ChoiceField(label=_("Save it as"))
    file = forms.FileField(
        label=_("XLSForm file (.xlsx)"),
        help_text=_(
            "Start from a downloaded framework, change the wording, add questions or a "
            "language, and upload it here. Nothing is saved if the file has a problem."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    note = forms.CharField(
        label=_("What changed (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, organisations, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.frameworks = {str(f.pk): f for f in frameworks}
        new = [
            (f"new:{o.pk}", _("A new framework of %(organisation)s") % {"organisation": o.name})
            for o in organisations
        ]
        versions = [
            (
                f"version:{f.pk}",
                _("The next version of “%(framework)s” (%(organisation)s)")
                % {"framework": f.name, "organisation": f.organisation.name},
            )
            for f in frameworks
        ]
        choices = [(_("New framework"), new)]
        if versions:
            choices.append((_("New version"), versions))
        self.fields["target"].choices = choices

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean(self):
        data = super().clean()
        kind, _sep, key = (data.get("target") or "").partition(":")
        data["framework"] = self.frameworks.get(key) if kind == "version" else None
        if data["framework"] is not None:
            data["organisation"] = data["framework"].organisation
        else:
            data["organisation"] = self.organisations.get(key) if kind == "new" else None
        return data
