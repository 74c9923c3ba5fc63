"""Small helpers shared by forms."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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


def submit_once(request, form, save, *, anonymous=False, secret=False):
    """`submit` for a form that creates something and carries a one-time key
    (`{% submission_key %}`): sent twice, it stores once.

    Returns a `submissions.Sent`: what `save` stored, or, for a request that repeats an
    earlier one (`again`), what that one stored, without checking the form again. Returns None
    as `submit` does, and also when what the earlier request stored has been deleted since (the
    form then says so). `anonymous`: the key is not tied to the person signed in. `secret`:
    `save` returns (object, secret), as the service does."""
    from .services import submission_found, submission_store_once
    from .submissions import posted_key, scope_of

    if request.method != "POST":
        return None
    key = posted_key(request)
    scope = scope_of(request, anonymous=anonymous)
    sent = submission_found(key=key, scope=scope) if key else None
    if sent is None:
        if not form.is_valid():
            return None
        try:
            sent = submission_store_once(
                key=key, scope=scope, create=lambda: save(form.cleaned_data), secret=secret
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return None
    if sent.obj is None:
        form.is_valid()
        form.add_error(
            None,
            _(
                "This form was already sent, and what it stored has since been removed. Send it "
                "again if it is still needed."
            ),
        )
        return None
    return sent


def already_sent(request):
    """The message for a form that was sent again: nothing new was stored."""
    messages.info(request, _("This was already sent; it was stored once."))
