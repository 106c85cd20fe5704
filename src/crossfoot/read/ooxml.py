"""The package layer under the .xlsx reader: a guarded zip and guarded XML streams.

Everything that can go wrong with an untrusted file before a single cell is read is
caught here and turned into a ``ReadError`` with a one-line reason:

- the file is not a zip (random bytes, a text file renamed .xlsx), or is an OLE2
  container (an encrypted/password-protected workbook, or a legacy .xls);
- the zip is truncated or a member is corrupt (bad CRC, bad deflate data);
- the zip inflates to more than ``max_unzipped_bytes`` (a zip bomb), judged both by the
  sizes the zip declares and by counting the bytes actually inflated;
- an XML part carries a DOCTYPE (entity declarations: billion laughs, external
  entities). crossfoot refuses the part before any parser sees it, so nothing is ever
  expanded or fetched.

The file is opened read-only and never written.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from pathlib import Path
from typing import IO

from crossfoot.read.errors import ReadError

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PROLOG_LIMIT = 1 << 20  # bytes of XML declaration/comments allowed before the root element


class LegacyWorkbook(Exception):
    """An unencrypted OLE2 file (a legacy .xls under another name): read by calamine."""


class _Budget:
    """Bytes inflated so far across all members, against the cap."""

    __slots__ = ("cap", "used")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0


class GuardedStream:
    """A read-only view of one zip member that counts inflated bytes against the
    budget and turns zip-level failures into ReadError. ``head`` is replayed first."""

    def __init__(self, package: "Package", name: str, raw: IO[bytes], head: bytes) -> None:
        self._package = package
        self._name = name
        self._raw = raw
        self._head = head

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        try:
            data = self._raw.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise self._package.corrupt(self._name, exc) from None
        self._package.count(len(data))
        return data

    def close(self) -> None:
        self._raw.close()


class Package:
    """An opened .xlsx package with guarded access to its parts."""

    def __init__(self, path: Path, max_unzipped_bytes: int) -> None:
        self.path = path
        self.label = str(path)
        self._budget = _Budget(max_unzipped_bytes)
        with open(path, "rb") as fh:
            head = fh.read(8)
        sniff_container(self.label, head, path)
        try:
            self.zip = zipfile.ZipFile(path, "r")
        except zipfile.BadZipFile as exc:
            raise ReadError(self.label, f"truncated or damaged zip, cannot read its directory ({exc})") from None
        except (OSError, EOFError, ValueError) as exc:
            raise ReadError(self.label, f"truncated or damaged zip ({exc})") from None
        infos = self.zip.infolist()
        self.names = {info.filename for info in infos}
        declared = sum(info.file_size for info in infos)
        if declared > max_unzipped_bytes:
            self.zip.close()
            raise ReadError(
                self.label,
                f"zip bomb guard: the zip declares {declared:,} bytes unzipped, over the limit of "
                f"{max_unzipped_bytes:,} (max_unzipped_bytes)")

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- guards ---------------------------------------------------------------------
    def count(self, n: int) -> None:
        budget = self._budget
        budget.used += n
        if budget.used > budget.cap:
            raise ReadError(
                self.label,
                f"zip bomb guard: parts inflate to more than {budget.cap:,} bytes "
                f"(max_unzipped_bytes), more than the zip declares")

    def corrupt(self, name: str, exc: BaseException) -> ReadError:
        text = str(exc)
        if "CRC" in text:
            what = "bad CRC"
        elif isinstance(exc, zlib.error):
            what = f"bad deflate data: {text}"
        elif isinstance(exc, EOFError):
            what = "data ends early"
        else:
            what = text or type(exc).__name__
        return ReadError(self.label, f"corrupt zip member {name} ({what})")

    # -- parts ----------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name in self.names

    def open(self, name: str) -> GuardedStream:
        """Open an XML part for streaming, refusing a DOCTYPE before parsing starts."""
        try:
            raw = self.zip.open(name, "r")
        except KeyError:
            raise ReadError(self.label, f"missing part {name}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise self.corrupt(name, exc) from None
        stream = GuardedStream(self, name, raw, b"")
        head = b""
        while True:
            chunk = stream.read(65536)
            head += chunk
            verdict = prolog_verdict(head)
            if verdict is not None or not chunk:
                break
            if len(head) > _PROLOG_LIMIT:
                raise ReadError(self.label, f"{name}: more than 1 MB before the XML root element; refused")
        if verdict == "doctype":
            raise ReadError(
                self.label,
                f"{name} declares a DOCTYPE (entity declarations); refused: crossfoot never expands "
                f"or fetches XML entities")
        return GuardedStream(self, name, raw, head)

    def read(self, name: str) -> bytes:
        """A whole (small) part, guarded like ``open``."""
        stream = self.open(name)
        parts = []
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            parts.append(chunk)
        return b"".join(parts)

    def resolve(self, source_part: str, target: str) -> str:
        """A relationship target relative to the part that owns the .rels file."""
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        base = posixpath.dirname(source_part)
        return posixpath.normpath(posixpath.join(base, target))


def sniff_container(label: str, head: bytes, path: Path) -> None:
    """Refuse files that are not zip packages, naming what they look like."""
    if head.startswith(OLE2_SIGNATURE):
        if ole2_is_encrypted(path):
            raise ReadError(label, "encrypted or password-protected workbook (an OLE2 container), "
                                   "crossfoot cannot read it")
        raise LegacyWorkbook(label)
    if head.startswith(ZIP_SIGNATURES):
        return
    if not head:
        raise ReadError(label, "not a workbook (the file is empty)")
    if _looks_like_text(path):
        raise ReadError(label, "not a workbook (a text file, no zip signature)")
    raise ReadError(label, "not a workbook (no zip signature)")


def ole2_is_encrypted(path: Path) -> bool:
    """An OLE2 file is an encrypted OOXML workbook when its directory names the
    ``EncryptedPackage``/``EncryptionInfo`` streams (UTF-16 names in the directory)."""
    markers = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
    with open(path, "rb") as fh:
        data = fh.read(4 << 20)
    return any(m in data for m in markers)


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        sample = fh.read(4096)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def prolog_verdict(head: bytes) -> str | None:
    """Scan the XML prolog: "doctype" if a DOCTYPE precedes the root element, "ok" when
    the root element starts first, None when more bytes are needed."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    i, n = 0, len(text)
    if text.startswith("\ufeff"):
        i = 1
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return None
        if text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return None
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return None
            i = j + 3
        elif text.startswith("<!", i):
            if n - i < 9:
                return None
            return "doctype"  # <!DOCTYPE, or any other markup declaration
        else:
            return "ok"
