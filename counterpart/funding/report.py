"""What an import says about each row or activity, in the reader's language.

Imports store a reason code and its values; the page turns them into words when someone reads
the report, so each person reads it in their own language."""

from django.utils.translation import gettext_lazy as _

OUTCOMES = {
    "stored": _("Stored"),
    "unchanged": _("Already there, unchanged"),
    "updated": _("Updated"),
    "review": _("Stored; the receiver waits for a person to decide"),
    "skipped": _("Skipped"),
    "note": _("Note"),
}

REASONS = {
    # Why a whole file could not be read: nothing was stored.
    "too_big": _("The file is larger than %(limit)s MB."),
    "doctype": _(
        "The file declares a document type (DTD). IATI files do not, and such a declaration "
        "can hide harmful content, so the file was not read."
    ),
    "root": _("This is not an IATI activity file: its first element is not <iati-activities>."),
    "depth": _("The file is nested too deeply to be an IATI file, so it was not read."),
    "empty": _("The file is empty or is not XML."),
    "syntax": _("The file is not well-formed XML (the problem is near line %(line)s)."),
    "encoding": _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
    "no_header": _("The file has no header row."),
    "not_csv": _("The file cannot be read as CSV (the problem is near line %(line)s)."),
    "missing_columns": _("These columns are missing from the header row: %(columns)s."),
    "missing_file": _("The uploaded file could not be found any more. Upload it again."),
    # The import began but could not end.
    "interrupted": _(
        "Reading the file stopped before the end: the server process that read it was stopped "
        "(for example by a restart or a time limit), and it could not be finished. Flows from "
        "the part already read may be stored. Upload the file again: flows already stored are "
        "recognised and not stored twice."
    ),
    "error": _(
        "Reading the file stopped because of an error on the server. Flows from the part "
        "already read may be stored. Upload the file again later: flows already stored are "
        "recognised and not stored twice."
    ),
    # Why one activity, transaction or row was skipped or held.
    "no_identifier": _(
        "The activity has no iati-identifier, so a later import could not recognise its flows."
    ),
    "two_reporting_orgs": _("The activity names more than one reporting organisation."),
    "incoming": _("Money coming in (transaction type %(code)s) is not money passed on."),
    "other_type": _("Transaction type %(code)s is neither a commitment nor a disbursement."),
    "no_receiver": _("The transaction names no receiver, and the activity no single implementer."),
    "two_receivers": _("The transaction names more than one receiver."),
    "implementer": _("The receiver is the activity's implementing organisation: %(name)s."),
    "bad_amount": _("The amount “%(value)s” is not a number of zero or more."),
    "not_a_number": _("The amount “%(value)s” is not a number."),
    "bad_date": _("The date is missing or is not a date (YYYY-MM-DD)."),
    "no_currency": _("No currency is given for the amount, and the activity has no default."),
    "bad_currency": _("“%(value)s” is not a three-letter currency code."),
    "bad_kind": _("“%(value)s” is neither commitment nor disbursement."),
    "bad_yes_no": _("“%(value)s” in the column %(column)s is neither yes nor no."),
    "bad_rate": _("The overhead rate “%(value)s” is not a number from 0 to 100."),
    "bad_country": _("“%(value)s” is not a two-letter country code."),
    "no_receiver_name": _("The row names no receiver."),
    "humanitarian_flag": _(
        "The humanitarian flag “%(value)s” is not understood, so it is left out."
    ),
    "not_ours": _(
        "The activity is reported by %(name)s. Its flows count for us once one of our own "
        "flows leads to it."
    ),
    "too_long": _("The value in the column %(column)s is too long."),
    "repeated": _("This row repeats an earlier row with the same reference, and was left out."),
}


def reason_text(code: str, params: dict | None = None) -> str:
    text = REASONS.get(code)
    if text is None:
        return code
    try:
        return str(text) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(text)
