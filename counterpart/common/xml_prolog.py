"""Whether an XML document declares a document type, decided from its bytes.

A document type declaration (`<!DOCTYPE …>`) is how entity bombs, external entities and DTDs
from the network get into a file. None of the files Counterpart reads (IATI activity files,
spreadsheets, which are zipped XML) needs one, so any file that has one is refused with its own
reason. That reason must not depend on how far a given libxml2 or expat release reads before it
gives up, so it is decided here, before any parser sees the file: the prolog (everything before
the first element) may hold only an XML declaration, processing instructions, comments and white
space, and a DOCTYPE can only stand there.
"""

import codecs
import io
import zipfile
import zlib

from django.utils.translation import gettext_lazy as _

CHUNK = 16 * 1024

# What a person uploading a spreadsheet reads when one of its parts declares a document type.
WORKBOOK_DOCTYPE_MESSAGE = _(
    "The file declares a document type (DTD). Spreadsheets do not, and such a declaration can "
    "hide harmful content, so the file was not read."
)

# Byte patterns that tell the encoding before any declaration is read (XML 1.0, appendix F),
# with the number of bytes of byte order mark to skip.
_SIGNATURES = (
    (codecs.BOM_UTF32_LE, "utf-32-le", 4),
    (codecs.BOM_UTF32_BE, "utf-32-be", 4),
    (codecs.BOM_UTF8, "utf-8", 3),
    (codecs.BOM_UTF16_LE, "utf-16-le", 2),
    (codecs.BOM_UTF16_BE, "utf-16-be", 2),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00", "utf-16-le", 0),
    (b"\x00<", "utf-16-be", 0),
    (b"\x4c\x6f\xa7\x94", "cp500", 0),  # "<?xm" in EBCDIC
)

_SPACE = " \t\r\n"


def _encoding_of(head: bytes) -> tuple[str, int]:
    """The encoding to read the prolog in, and how many bytes of byte order mark to skip."""
    for signature, encoding, skip in _SIGNATURES:
        if head.startswith(signature):
            return encoding, skip
    # Every other encoding an XML file may declare writes the markup characters of the prolog
    # ("<", "?", "!", "-", ">" and the letters of DOCTYPE) as ASCII does; Latin-1 reads any
    # byte, so nothing in a strange encoding can stop the scan early.
    return "latin-1", 0


class _Prolog:
    """Reads decoded text from a byte stream, keeping only what is not yet consumed."""

    def __init__(self, stream):
        self.stream = stream
        head = stream.read(4)
        encoding, skip = _encoding_of(head)
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.text = self.decoder.decode(head[skip:])
        self.ended = False

    def more(self) -> bool:
        if self.ended:
            return False
        data = self.stream.read(CHUNK)
        if not data:
            self.ended = True
            self.text += self.decoder.decode(b"", final=True)
            return False
        self.text += self.decoder.decode(data)
        return True

    def need(self, count: int) -> bool:
        while len(self.text) < count:
            if not self.more():
                return False
        return True

    def skip_past(self, end: str) -> bool:
        """Drop text up to and including `end`; False if the stream ends first."""
        while True:
            found = self.text.find(end)
            if found >= 0:
                self.text = self.text[found + len(end) :]
                return True
            # Keep the last few characters: `end` may be split across two chunks.
            self.text = self.text[-(len(end) - 1) :] if len(end) > 1 else ""
            if not self.more():
                return False


def declares_doctype(stream) -> bool:
    """True if the XML document read from the binary `stream` has a document type declaration.

    Reads only the prolog, however long (comments can be), and stops at the first element or at
    anything that cannot stand in a prolog: such a file is left to the parser to refuse."""
    prolog = _Prolog(stream)
    while True:
        while True:
            stripped = prolog.text.lstrip(_SPACE)
            if stripped:
                prolog.text = stripped
                break
            prolog.text = ""
            if not prolog.more():
                return False
        if not prolog.need(9):
            return prolog.text.upper().startswith("<!DOCTYPE")
        text = prolog.text
        if text.startswith("<?"):
            prolog.text = text[2:]
            if not prolog.skip_past("?>"):
                return False
        elif text.startswith("<!--"):
            prolog.text = text[4:]
            if not prolog.skip_past("-->"):
                return False
        else:
            # XML spells it in capitals; any other spelling is still refused as a DOCTYPE
            # rather than left to a parser that might read it differently.
            return text[:9].upper() == "<!DOCTYPE"


def workbook_declares_doctype(data: bytes) -> bool:
    """True if any part of a zipped document (XLSX, ODS, a zip of XML files) declares a
    document type. A file that is not a readable zip is left to its reader to refuse."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    if declares_doctype(member):
                        return True
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError):
        return False
    return False
