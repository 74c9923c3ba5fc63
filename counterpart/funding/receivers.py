"""Who received the money: the rules that say whether an IATI receiver counts as a local or
national actor, and the key under which a receiver is remembered. Pure functions."""

import re

from .models import ReceiverClass

# An organisation identifier starts with a registration agency: a country code, a dash, the
# agency, a dash, then the number (GB-CHC-202918, KE-NCB-12345). Refs like "1" or "X" are not.
IDENTIFIER = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-\S")

ALWAYS_LOCAL = frozenset({"24", "72"})  # partner-country-based NGO; private sector in country
LOCAL_IF_SAME_COUNTRY = frozenset({"22"})  # national NGO: also used for donor-country NGOs
GOVERNMENT = frozenset({"10", "11", "15"})  # local only for the recipient country's government
NOT_LOCAL = frozenset({"21", "30", "40", "60", "70", "71", "73"})


def looks_like_identifier(ref: str) -> bool:
    return bool(IDENTIFIER.match(ref.upper()))


def receiver_key(ref: str, name: str, activity: str = "") -> str:
    """How a receiver is recognised across flows and imports: its identifier, else its name,
    else the activity it received the money in."""
    if ref and looks_like_identifier(ref):
        return "ref:" + ref.upper()
    name = " ".join(name.split()).casefold()
    if name:
        return "name:" + name
    return "activity:" + activity if activity else ""


def identifier_country(ref: str) -> str:
    return ref[:2].upper() if ref and looks_like_identifier(ref) else ""


def classify(type_code: str, ref: str, country: str) -> str:
    """What a receiver counts as from its IATI organisation type, its identifier and the
    country the money is for. Anything these rules cannot settle goes to a person."""
    if type_code in ALWAYS_LOCAL:
        return ReceiverClass.LOCAL
    if type_code in NOT_LOCAL:
        return ReceiverClass.NOT_LOCAL
    home = identifier_country(ref)
    if type_code in LOCAL_IF_SAME_COUNTRY:
        if home and country and home == country:
            return ReceiverClass.LOCAL
        return ReceiverClass.REVIEW
    if type_code in GOVERNMENT:
        if home and country:
            return ReceiverClass.LOCAL if home == country else ReceiverClass.NOT_LOCAL
        return ReceiverClass.REVIEW
    # 23 (regional NGO), 80 (academic), 90 (other), a missing or unknown type.
    return ReceiverClass.REVIEW
