"""Errors as JSON, the same shape everywhere, with messages in the reader's language:

{"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"title": ["…"]}}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

MESSAGES = {
    400: lambda: _("The request is not valid. See the fields for what to change."),
    401: lambda: _("Sign in first: send a valid API token."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("Not found, or you are not allowed to see it."),
    405: lambda: _("This method is not allowed here."),
    406: lambda: _("This format cannot be given here."),
    415: lambda: _("Send the data as JSON."),
    429: lambda: _("Too many requests. Wait a little and try again."),
}


def _from_django(error):
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            return exceptions.ValidationError(
                {
                    field if field != "__all__" else "non_field_errors": [
                        message for e in errors for message in e.messages
                    ]
                    for field, errors in error.error_dict.items()
                }
            )
        return exceptions.ValidationError({"non_field_errors": error.messages})
    if isinstance(error, PermissionDenied):
        return exceptions.PermissionDenied(str(error) or None)
    if isinstance(error, Http404):
        return exceptions.NotFound(str(error) or None)
    return error


def handle(exc, context):
    exc = _from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    detail = response.data
    error = {"status": status, "code": getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            error["code"] = codes
    if isinstance(exc, exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        general = fields.pop("non_field_errors", None)
        error["message"] = " ".join(str(m) for m in general) if general else MESSAGES[400]()
        error["fields"] = {name: [str(m) for m in _flat(value)] for name, value in fields.items()}
    else:
        message = detail.get("detail") if isinstance(detail, dict) else None
        error["message"] = str(message) if message else MESSAGES.get(status, MESSAGES[400])()
    response.data = {"error": error}
    return response


def _flat(value):
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flat(v)]
    if isinstance(value, list):
        return [m for item in value for m in _flat(item)]
    return [value]


class FieldErrors(serializers.Serializer):
    """For the schema only: the shape of every error."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorBody(serializers.Serializer):
    error = FieldErrors()
