"""Reading IATI activity files, one activity at a time.

The parser never resolves entities, never loads a DTD or anything over the network, and refuses
a file that declares a document type at all: IATI files do not, and such a declaration is how
entity bombs and external-entity tricks arrive. libxml2 itself refuses nesting deeper than 256
levels. Each activity is turned into plain values and then cleared from memory, so a file of
hundreds of megabytes is read in constant memory.

This module knows IATI, not Counterpart: it yields what the file says and leaves matching and
storing to the import service."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from counterpart.common.xml_prolog import declares_doctype

# Transaction type codes, version 2 and version 1 (letters), that we read.
COMMITMENT_CODES = frozenset({"2", "C"})
DISBURSEMENT_CODES = frozenset({"3", "D"})
INCOMING_CODES = frozenset({"1", "11", "IF", "IC"})
IMPLEMENTING_ROLES = frozenset({"4", "implementing"})
TRUE_VALUES = frozenset({"1", "true"})
FALSE_VALUES = frozenset({"0", "false"})


class UnreadableFile(Exception):
    """The file as a whole cannot be read; nothing from it may be stored."""


@dataclass(slots=True)
class Org:
    ref: str = ""
    type: str = ""
    name: str = ""
    activity_id: str = ""


@dataclass(slots=True)
class Transaction:
    position: int
    type_code: str
    date: date | None
    value_date: date | None
    amount: Decimal | None
    raw_amount: str
    currency: str
    humanitarian: bool | None
    humanitarian_raw: str
    provider: Org | None
    receivers: list
    country: str


@dataclass(slots=True)
class Activity:
    identifier: str
    reporting: list = field(default_factory=list)
    default_currency: str = ""
    humanitarian: bool | None = None
    countries: list = field(default_factory=list)
    implementing: list = field(default_factory=list)
    transactions: list = field(default_factory=list)


def _flag(raw: str | None) -> bool | None:
    if raw is None:
        return None
    raw = raw.strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    return None


def _iso_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


ACTIVITY_TAGS = (
    "transaction", "iati-identifier", "reporting-org", "recipient-country", "participating-org",
)  # fmt: skip
TRANSACTION_TAGS = (
    "transaction-type", "transaction-date", "value", "provider-org", "receiver-org",
    "recipient-country",
)  # fmt: skip


def _name(element) -> str:
    """The first narrative with text (version 2), else the element's own text (version 1)."""
    for child in element.iterchildren("narrative"):
        if child.text and child.text.strip():
            return " ".join(child.text.split())
    return " ".join((element.text or "").split())


def _org(element, activity_attribute: str) -> Org:
    get = element.get
    return Org(
        ref=(get("ref") or "").strip(),
        type=(get("type") or "").strip(),
        name=_name(element)[:300],
        activity_id=(get(activity_attribute) or "").strip() if activity_attribute else "",
    )


def _transaction(element, position: int) -> Transaction:
    type_code = ""
    when = None
    amount = None
    raw_amount = ""
    currency = ""
    value_date = None
    provider = None
    receivers = []
    country = ""
    for child in element.iterchildren(*TRANSACTION_TAGS):
        tag = child.tag
        if tag == "transaction-type":
            type_code = (child.get("code") or "").strip().upper()
        elif tag == "transaction-date":
            when = _iso_date(child.get("iso-date"))
        elif tag == "value":
            raw_amount = (child.text or "").strip()
            currency = (child.get("currency") or "").strip().upper()
            value_date = _iso_date(child.get("value-date"))
            try:
                amount = Decimal(raw_amount.replace(",", ""))
            except InvalidOperation:
                amount = None
        elif tag == "provider-org":
            provider = _org(child, "provider-activity-id")
        elif tag == "receiver-org":
            receivers.append(_org(child, "receiver-activity-id"))
        elif tag == "recipient-country":
            country = (child.get("code") or "").strip().upper()
    humanitarian_raw = element.get("humanitarian")
    return Transaction(
        position=position,
        type_code=type_code,
        date=when or value_date,
        value_date=value_date,
        amount=amount,
        raw_amount=raw_amount,
        currency=currency,
        humanitarian=_flag(humanitarian_raw),
        humanitarian_raw=humanitarian_raw or "",
        provider=provider,
        receivers=receivers,
        country=country,
    )


def _activity(element, file_currency: str) -> Activity:
    activity = Activity(
        identifier="",
        default_currency=(element.get("default-currency") or file_currency).strip().upper(),
        humanitarian=_flag(element.get("humanitarian")),
    )
    position = 0
    for child in element.iterchildren(*ACTIVITY_TAGS):
        tag = child.tag
        if tag == "transaction":
            position += 1
            activity.transactions.append(_transaction(child, position))
        elif tag == "iati-identifier":
            activity.identifier = " ".join((child.text or "").split())
        elif tag == "reporting-org":
            activity.reporting.append(_org(child, None))
        elif tag == "recipient-country":
            code = (child.get("code") or "").strip().upper()
            if code:
                activity.countries.append(code)
        elif (
            tag == "participating-org"
            and (child.get("role") or "").strip().lower() in IMPLEMENTING_ROLES
        ):
            activity.implementing.append(_org(child, "activity-id"))
    return activity


def _syntax_message(error: etree.XMLSyntaxError) -> str:
    text = str(error)
    if "Excessive depth" in text:
        return "depth"
    if "Document is empty" in text or "Start tag expected" in text or "no element found" in text:
        return "empty"
    return "syntax"


def _declares_doctype(source) -> bool:
    if hasattr(source, "read"):
        start = source.tell()
        try:
            return declares_doctype(source)
        finally:
            source.seek(start)
    with open(source, "rb") as stream:
        return declares_doctype(stream)


PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class _Nothing:
    """A parser target that keeps nothing: libxml2 checks the file and builds no tree."""

    def close(self):
        return None


def check_file(source) -> None:
    """Read the whole file once, keeping nothing, and raise UnreadableFile for the reasons
    read_activities would give, so that an import can refuse a file before it stores anything.
    `source` is a binary file object positioned at its start; it is read to its end."""
    if _declares_doctype(source):
        raise UnreadableFile("doctype")
    start = source.tell()
    try:
        # The first element must be the root <iati-activities>.
        for _event, element in etree.iterparse(source, events=("start",), **PARSER_OPTIONS):
            if element.tag != "iati-activities":
                raise UnreadableFile("root")
            break
        else:
            raise UnreadableFile("root")
        source.seek(start)
        # Read as the import reads (libxml2 pulling from the file): fed in chunks, some
        # libxml2 releases miss the depth limit deep in a large file.
        etree.parse(source, etree.XMLParser(target=_Nothing(), **PARSER_OPTIONS))
    except etree.XMLSyntaxError as error:
        raise UnreadableFile(_syntax_message(error), error.lineno or 0) from None


def read_activities(source, on_version=None) -> Iterator[Activity]:
    """Yield each activity in the file. `source` is a path or a binary file object.

    Raises UnreadableFile with a reason code: "doctype", "root", "depth", "empty" or "syntax"
    (with the line number). A document type declaration is looked for before the parser starts,
    so the reason does not depend on where a libxml2 release stops reading such a file."""
    if _declares_doctype(source):
        raise UnreadableFile("doctype")
    context = etree.iterparse(
        source,
        events=("start", "end"),
        tag=("iati-activities", "iati-activity"),
        **PARSER_OPTIONS,
    )
    file_currency = ""
    seen_root = False
    try:
        for event, element in context:
            if event == "start":
                if element.tag == "iati-activities" and not seen_root:
                    if element.getroottree().docinfo.doctype:
                        raise UnreadableFile("doctype")
                    if element.getparent() is not None:
                        raise UnreadableFile("root")
                    seen_root = True
                    file_currency = element.get("default-currency") or ""
                    if on_version is not None:
                        on_version((element.get("version") or "").strip())
                elif not seen_root:
                    raise UnreadableFile("root")
                continue
            if element.tag != "iati-activity":
                continue
            yield _activity(element, file_currency)
            # Free what was read: the element and the siblings before it.
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        reason = _syntax_message(error)
        raise UnreadableFile(reason, error.lineno or 0) from None
    if not seen_root:
        raise UnreadableFile("root")
