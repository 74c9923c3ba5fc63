"""Reading a downloaded PDF report back: its pages' text, its table of contents, its bookmarks
and the kinds of images it holds."""

import io
import re

from pypdf import PdfReader
from pypdf.generic import IndirectObject


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content))


def page_texts(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def whole_text(reader) -> str:
    return "\n".join(page_texts(reader))


def toc_entries(text) -> dict:
    """{title: page number} from a contents page, whose lines are a title, dot leaders and a
    page number (in a right-to-left page the leaders may come first)."""
    entries = {}
    for line in text.splitlines():
        found = re.search(r"\.{3,}", line) and re.search(r"(\d+)\s*$", line)
        if not found:
            continue
        title = " ".join(re.sub(r"\.{3,}", " ", line[: found.start()]).split())
        entries[title] = int(found.group(1))
    return entries


def first_page_starting_with(texts, heading) -> int:
    """The number (from 1) of the first page whose text starts with `heading`."""
    for number, text in enumerate(texts, start=1):
        if text.lstrip().startswith(heading):
            return number
    raise AssertionError(f"no page starts with {heading!r}")


def bookmark_titles(reader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item["/Title"])

    walk(reader.outline)
    return titles


def xobject_subtypes(reader) -> list[str]:
    """The subtype of every XObject the pages draw, including those inside form XObjects."""
    found, seen = [], set()

    def walk(resources):
        resources = resources.get_object() if isinstance(resources, IndirectObject) else resources
        if not resources or "/XObject" not in resources:
            return
        for reference in resources["/XObject"].get_object().values():
            key = getattr(reference, "idnum", id(reference))
            if key in seen:
                continue
            seen.add(key)
            xobject = reference.get_object()
            found.append(str(xobject.get("/Subtype")))
            if "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in reader.pages:
        if "/Resources" in page:
            walk(page["/Resources"])
    return found
