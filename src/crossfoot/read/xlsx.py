"""The .xlsx/.xlsm reader: formulas and cached values together, in one streaming pass.

openpyxl gives either formulas or cached values per load, so getting both costs two
full loads. This reader walks each sheet's XML once with the C-accelerated
``xml.etree.ElementTree.iterparse`` (measured faster than lxml for this loop, see
docs/reading.md) and builds ``grid.Cell`` objects directly:

- values typed by the cell's ``t``: numbers (dates when the number format is a date
  format, honouring the 1904 flag), shared and inline strings (rich-text runs joined,
  phonetic ``rPh`` runs skipped), booleans, errors as ``ExcelError``, ``t="str"``
  formula results;
- formulas: plain text; Excel shared formulas as one ``SharedFormula`` per group, each
  child pointing at it (never translated eagerly); array formulas with their ``ref``;
- number formats from styles.xml (custom ones and openpyxl's built-in table), shared
  between cells as one string object per style;
- hidden sheets, rows and columns, merged ranges, defined names;
- text that is entirely a number (``"1,234"`` typed as text) is marked
  ``cell.text_number``.

The sheet's ``<dimension>`` is never used to size anything: memory follows the cells
present. Package-level hardening (not a zip, encrypted, zip bombs, DOCTYPEs, corrupt
members) lives in ``read.ooxml``.
"""

from __future__ import annotations

import datetime as _dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from crossfoot.grid.address import CellRange, column_index, quote_sheet
from crossfoot.grid.model import Cell, ExcelError, SharedFormula, Workbook, collector_paused
from crossfoot.read.errors import ReadError
from crossfoot.read.ooxml import LegacyWorkbook, Package, sniff_container

_OFFICE_DOC = "/officeDocument"
_TRUE = ("1", "true")
_DIGITS = "0123456789"
_GENERAL = ("General", False)
# elements inside <c>: formula, value, inline string and its rich-text runs
_CELL_PARTS = ("c", "v", "f", "is", "t", "r", "rPr", "rPh", "phoneticPr", "extLst",
               "b", "i", "u", "strike", "sz", "color", "rFont", "family", "scheme", "vertAlign",
               "charset", "outline", "shadow", "condense", "extend")

_NUMBER_TEXT = re.compile(r"^\s*[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?\s*$")


def looks_numeric(text: str) -> bool:
    """Text that is entirely one number: "12", "-3.5", "1,234.00", "1e6"."""
    return bool(text) and any(ch.isdigit() for ch in text) and _NUMBER_TEXT.match(text) is not None


def read_xlsx(path: Path, *, max_unzipped_bytes: int) -> Workbook:
    """Read an .xlsx/.xlsm workbook into the grid; ReadError for anything unreadable."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            sniff_container(str(path), fh.read(8), path)
    except LegacyWorkbook:
        from crossfoot.read.calamine_reader import read_calamine

        return read_calamine(path)
    # A million new cells would trigger the cyclic garbage collector hundreds of times
    # over a heap that only grows (measured: a third of the read time); the grid has no
    # cycles to collect, so collection waits until the read is done.
    with collector_paused(), Package(path, max_unzipped_bytes) as pkg:
        try:
            return _Reader(pkg).read()
        except ET.ParseError as exc:
            raise ReadError(pkg.label, f"malformed XML ({exc})") from None
        except RecursionError:
            raise ReadError(pkg.label, "XML nested too deeply") from None
        except (ReadError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a file shaped in a way this reader did not foresee
            raise ReadError(pkg.label, f"cannot read the workbook ({type(exc).__name__}: "
                                       f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None


def _ns_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text_of(si: ET.Element, ns: str) -> str:
    """The text of a shared string / inline string: ``<t>``, or ``<r><t>`` runs joined;
    phonetic ``<rPh>`` runs are not part of the value."""
    t_tag, r_tag = ns + "t", ns + "r"
    parts = []
    for ch in si:
        if ch.tag == t_tag:
            parts.append(ch.text or "")
        elif ch.tag == r_tag:
            for t in ch:
                if t.tag == t_tag:
                    parts.append(t.text or "")
    return parts[0] if len(parts) == 1 else "".join(parts)


class _CellSink(dict):
    """Stands in for a sheet's cell dict when streaming: each cell goes to the callback
    and is not kept."""

    def __init__(self, sheet_name: str, on_cell: Callable[[str, Cell], None]) -> None:
        super().__init__()
        self.sheet_name = sheet_name
        self.on_cell = on_cell

    def __setitem__(self, key: tuple[int, int], cell: Cell) -> None:
        self.on_cell(self.sheet_name, cell)


def stream_xlsx(path: Path, on_cell: Callable[[str, Cell], None], *,
                max_unzipped_bytes: int = 2 * 1024**3) -> Workbook:
    """Read a workbook in one pass without keeping its cells: ``on_cell(sheet, cell)``
    is called for every cell (formula, cached value and format together), in sheet and
    row order. Returns the workbook's frame (sheets without cells, names, notices).

    For callers that only need to look at each cell once (counting, exporting, a quick
    scan of a very large file); the audit needs the grid and uses ``read_xlsx``.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        try:
            sniff_container(str(path), fh.read(8), path)
        except LegacyWorkbook:
            raise ReadError(str(path), "a legacy .xls workbook; streaming reads .xlsx/.xlsm only") from None
    with collector_paused(), Package(path, max_unzipped_bytes) as pkg:
        try:
            return _Reader(pkg, on_cell).read()
        except ET.ParseError as exc:
            raise ReadError(pkg.label, f"malformed XML ({exc})") from None


class _Reader:
    def __init__(self, pkg: Package, on_cell: Callable[[str, Cell], None] | None = None) -> None:
        self.on_cell = on_cell
        self.pkg = pkg
        self.label = pkg.label
        self.wb = Workbook(path=str(pkg.path), source_format="xlsx")
        self.sst: list[str] = []
        self.sst_numeric: list[bool] = []
        self.styles: dict[str, tuple[str, bool]] = {}
        self.colcache: dict[str, int] = {}
        self.epoch = WINDOWS_EPOCH
        self.dates: dict[object, object] = {}  # serial -> datetime, dates repeat a lot

    # -- package structure ----------------------------------------------------------
    def _parse(self, name: str) -> ET.Element:
        data = self.pkg.read(name)
        try:
            return ET.fromstring(data)
        except ET.ParseError as exc:
            raise ReadError(self.label, f"malformed XML in {name} ({exc})") from None

    def _rels(self, part: str) -> dict[str, tuple[str, str, str]]:
        """rId -> (type, resolved target, target mode) for the part's .rels file."""
        folder, _, base = part.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        if not self.pkg.has(rels_name):
            return {}
        out = {}
        for rel in self._parse(rels_name):
            if _local(rel.tag) != "Relationship":
                continue
            target = rel.get("Target", "")
            mode = rel.get("TargetMode", "Internal")
            resolved = target if mode == "External" else self.pkg.resolve(part, target)
            out[rel.get("Id", "")] = (rel.get("Type", ""), resolved, mode)
        return out

    def _workbook_part(self) -> str:
        for typ, target, _ in self._rels("").values():
            if typ.endswith(_OFFICE_DOC) and self.pkg.has(target):
                return target
        if self.pkg.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise ReadError(self.label, "not a spreadsheet package (no workbook part; is it a Word or "
                                    "PowerPoint file, or a plain zip?)")

    def read(self) -> Workbook:
        wb_part = self._workbook_part()
        root = self._parse(wb_part)
        ns = "{" + _ns_of(root.tag) + "}" if root.tag.startswith("{") else ""
        rels = self._rels(wb_part)
        pr = root.find(f"{ns}workbookPr")
        if pr is not None and pr.get("date1904", "0").lower() in _TRUE:
            self.wb.date1904 = True
            self.epoch = MAC_EPOCH
        sheets_el = root.find(f"{ns}sheets")
        entries = []
        for sh in (sheets_el if sheets_el is not None else []):
            rid = next((v for k, v in sh.attrib.items() if k.endswith("}id")), None)
            entries.append((sh.get("name", ""), sh.get("state", "visible"), rid))
        for typ, target, _ in rels.values():
            if typ.endswith("/sharedStrings"):
                self._read_shared_strings(target)
            elif typ.endswith("/styles"):
                self._read_styles(target)
        for index, (name, state, rid) in enumerate(entries):
            rel = rels.get(rid or "")
            if rel is None:
                raise ReadError(self.label, f"sheet {name!r} has no relationship {rid!r} in the workbook")
            typ, target, _ = rel
            kind = typ.rsplit("/", 1)[-1]
            if kind != "worksheet":
                self.wb.notices.append(f"sheet {name!r} is a {kind}, not a worksheet; skipped")
                continue
            if not self.pkg.has(target):
                raise ReadError(self.label, f"missing sheet part {target} for sheet {name!r}")
            sheet = self.wb.add_sheet(name)
            sheet.hidden = state in ("hidden", "veryHidden")
            if self.on_cell is not None:
                sheet.cells = _CellSink(name, self.on_cell)
            self._read_sheet(target, sheet)
            if self.on_cell is not None:
                sheet.cells = {}
        self._read_defined_names(root, ns, [e[0] for e in entries])
        return self.wb

    def _read_defined_names(self, root: ET.Element, ns: str, sheet_names: list[str]) -> None:
        names_el = root.find(f"{ns}definedNames")
        if names_el is None:
            return
        for dn in names_el:
            name = dn.get("name", "")
            if not name or name.startswith("_xlnm.") or not dn.text:
                continue
            local = dn.get("localSheetId")
            if local is not None and local.isdigit() and int(local) < len(sheet_names):
                name = f"{quote_sheet(sheet_names[int(local)])}!{name}"
            self.wb.defined_names[name] = "=" + dn.text

    # -- shared parts ---------------------------------------------------------------
    def _read_shared_strings(self, part: str) -> None:
        if not self.pkg.has(part):
            raise ReadError(self.label, f"missing shared strings part {part}")
        sst, numeric = self.sst, self.sst_numeric
        ns = None
        si_tag = ""
        for _, el in ET.iterparse(self.pkg.open(part), events=("end",)):
            if ns is None:
                ns = "{" + _ns_of(el.tag) + "}" if el.tag.startswith("{") else ""
                si_tag = ns + "si"
            if el.tag == si_tag:
                text = _text_of(el, ns)
                sst.append(text)
                numeric.append(looks_numeric(text))
                el.clear()

    def _read_styles(self, part: str) -> None:
        if not self.pkg.has(part):
            return
        root = self._parse(part)
        ns = "{" + _ns_of(root.tag) + "}" if root.tag.startswith("{") else ""
        custom: dict[int, str] = {}
        numfmts = root.find(f"{ns}numFmts")
        for nf in (numfmts if numfmts is not None else []):
            try:
                custom[int(nf.get("numFmtId", "-1"))] = nf.get("formatCode", "General")
            except ValueError:
                continue
        interned: dict[str, tuple[str, bool]] = {}
        xfs = root.find(f"{ns}cellXfs")
        for i, xf in enumerate(xfs if xfs is not None else []):
            try:
                fid = int(xf.get("numFmtId", "0"))
            except ValueError:
                fid = 0
            fmt = custom.get(fid) or BUILTIN_FORMATS.get(fid) or "General"
            entry = interned.get(fmt)
            if entry is None:
                entry = interned[fmt] = (fmt, is_date_format(fmt))
            self.styles[str(i)] = entry

    # -- sheets ---------------------------------------------------------------------
    def _read_sheet(self, part: str, sheet) -> None:
        ns = None
        tags: dict[str, str] = {}
        cells = sheet.cells
        hidden_rows = sheet.hidden_rows
        sst, sst_numeric, styles, colcache = self.sst, self.sst_numeric, self.styles, self.colcache
        epoch = self.epoch
        dates = self.dates
        groups: dict[str, SharedFormula] = {}
        orphans = 0
        row_no = 0
        ROW = V = F = IS = ""
        inner: frozenset[str] = frozenset()
        for _, el in ET.iterparse(self.pkg.open(part), events=("end",)):
            tag = el.tag
            if tag != ROW:
                if tag in inner:
                    continue  # parts of a cell: handled when its row ends
                if ns is None:  # the first element tells the namespace (transitional or strict)
                    ns = "{" + _ns_of(tag) + "}" if tag.startswith("{") else ""
                    tags = {k: ns + k for k in ("row", "c", "v", "f", "is", "col", "mergeCell")}
                    ROW, V, F, IS = tags["row"], tags["v"], tags["f"], tags["is"]
                    inner = frozenset(ns + k for k in _CELL_PARTS)
                    if tag in inner:
                        continue
                if tag != ROW:
                    self._other(el, tags, sheet)
                    continue
            r = el.get("r")
            if r is None:
                row_no += 1
            elif r.isdigit():
                row_no = int(r)
            else:
                raise ReadError(self.label, f"sheet {sheet.name!r} has a row numbered {r[:20]!r}")
            if el.get("hidden") in _TRUE:
                hidden_rows.add(row_no)
            col_no = 0
            for c in el:
                try:
                    ref = c.get("r")
                    if ref:
                        letters = ref.rstrip(_DIGITS)
                        col_no = colcache.get(letters) or self._col(letters)
                    else:
                        col_no += 1
                    t = c.get("t")
                    s = c.get("s")
                    fmt, is_date = _GENERAL if s is None else styles.get(s, _GENERAL)
                    v = fel = isel = None
                    for ch in c:
                        ctag = ch.tag
                        if ctag == V:
                            v = ch.text
                        elif ctag == F:
                            fel = ch
                        elif ctag == IS:
                            isel = ch
                    text_number = False
                    if t is None or t == "n":
                        if v is None or v == "":
                            value = None
                        else:
                            value = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
                            if is_date:
                                d = dates.get(value)
                                if d is None:
                                    d = dates[value] = _date(value, epoch)
                                value = d
                    elif t == "s":
                        idx = int(v)  # type: ignore[arg-type]
                        value = sst[idx]
                        text_number = fel is None and sst_numeric[idx]
                    elif t == "str":
                        value = v or ""
                    elif t == "b":
                        value = v in _TRUE
                    elif t == "e":
                        value = ExcelError(v) if v else None
                    elif t == "inlineStr":
                        value = _text_of(isel, ns) if isel is not None else (v or "")
                        text_number = fel is None and looks_numeric(value)  # type: ignore[arg-type]
                    elif t == "d":
                        value = _iso_date(v)
                    else:
                        value = v
                    if fel is None:
                        if value is None:
                            continue  # a formatted empty cell: nothing to keep
                        cell = Cell(row_no, col_no, value, None, fmt)
                        if text_number:
                            cell.text_number = True
                    else:
                        ft = fel.get("t")
                        ftext = fel.text
                        if ft == "shared":
                            si = fel.get("si", "")
                            if ftext:
                                group = groups[si] = SharedFormula(ftext, row_no, col_no)
                            else:
                                group = groups.get(si)  # type: ignore[assignment]
                            if group is None:
                                orphans += 1
                                cell = Cell(row_no, col_no, value, None, fmt)
                            else:
                                cell = Cell(row_no, col_no, value, None, fmt, group)
                        elif ftext:
                            cell = Cell(row_no, col_no, value, "=" + ftext, fmt, None,
                                        fel.get("ref") if ft == "array" else None)
                        elif value is None:
                            continue
                        else:
                            cell = Cell(row_no, col_no, value, None, fmt)
                    cells[(row_no, col_no)] = cell
                except (ValueError, IndexError, TypeError, OverflowError) as exc:
                    raise ReadError(self.label, self._bad_cell(sheet.name, row_no, col_no, c, exc)) from None
            el.clear()
        # the row index is built on first use, in one pass over the cells (0.13 s for a
        # million); built here it would add 8% to the peak memory of a bare read
        sheet._rows = sheet._cols = None
        if orphans:
            self.wb.notices.append(
                f"sheet {sheet.name!r}: {orphans} cell(s) point to a shared formula that has no "
                f"master; read as values")

    def _other(self, el: ET.Element, tags: dict[str, str], sheet) -> None:
        tag = el.tag
        if tag == tags["col"]:
            if el.get("hidden") in _TRUE:
                try:
                    lo, hi = int(el.get("min", "0")), int(el.get("max", "0"))
                except ValueError:
                    return
                sheet.hidden_cols.update(range(max(lo, 1), min(hi, 16384) + 1))
        elif tag == tags["mergeCell"]:
            ref = el.get("ref")
            if ref:
                try:
                    sheet.merged.append(CellRange.parse(ref))
                except ValueError:
                    pass
        else:
            el.clear()

    def _col(self, letters: str) -> int:
        if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
            raise ValueError(f"bad cell reference letters {letters!r}")
        col = self.colcache[letters] = column_index(letters)
        return col

    def _bad_cell(self, sheet: str, row: int, col: int, c: ET.Element, exc: BaseException) -> str:
        ref = c.get("r") or f"row {row}"
        if isinstance(exc, IndexError):
            return (f"cell {ref} of sheet {sheet!r} points to shared string {c.findtext(_any('v'))}, "
                    f"but the table has {len(self.sst)}")
        return f"cell {ref} of sheet {sheet!r} cannot be read ({exc})"


def _any(local: str) -> str:
    return "{*}" + local


def _date(value: float, epoch) -> object:
    """A serial in a date format becomes a datetime; a bare time of day stays a number."""
    try:
        out = from_excel(value, epoch)
    except (OverflowError, ValueError):
        return value
    if hasattr(out, "year"):
        return out
    if epoch == MAC_EPOCH:  # serial 0 is 1 January 1904, a date, not a time of day
        return epoch + _dt.timedelta(days=value)
    return value


def _iso_date(text: str | None):
    import datetime as dt

    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return text
