"""Small helpers shared by forms."""

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def submit(request, form, save):
    """On a valid POST, hand the cleaned data to a service and return what it wrote.

    Returns None when there is nothing to save yet: a GET, an invalid form, or a service that
    refused the values (its ValidationError is then shown on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def form_status(request):
    """A form sent back with problems answers 400, so that clients and tests can tell."""
    return 400 if request.method == "POST" else 200
