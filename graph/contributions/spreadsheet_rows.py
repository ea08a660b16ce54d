"""The rows of a spreadsheet file (CSV, or the first sheet of an XLSX) as text, read one row at a time and
refused (`SheetTooLarge`) at the first row or cell past a limit, the rest left unread.

A 0.3 MB XLSX can unpack to a million rows; reading them cost a minute of CPU with every row in memory.
openpyxl's read-only mode does not help with such a file: when a sheet does not declare its size (a
`<dimension>` element, which nothing obliges a file to carry), it parses the whole sheet to find it out
before giving the first row, and it builds each row whole, however wide, before giving it. So the XLSX
is read here with the standard library's streaming XML parser, cell by cell, counting as it goes:

    >>> rows = read_rows(b"id,title_fr\\netude-a,Etude A\\n", "studies.csv")
    >>> rows
    [['id', 'title_fr'], ['etude-a', 'Etude A']]

Cells are read as the text the file stores: shared and inline strings, and numbers as written (2023, not
2023.0). A date typed into a date-formatted cell is stored as a day count (45382): the import's templates
ask for dates as text (2024-03-31), and such a cell is reported as not a date.
"""

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import Element, ParseError, fromstring, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MAX_COLUMNS = 16_384  # column XFD, the widest sheet Excel makes
CELL = re.compile(r"([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class SheetLimits:
    """How much of a spreadsheet is read at most (the settings `max_import_rows`, `max_import_cells`,
    `max_upload_bytes`)."""

    rows: int = 20_000  # under the header
    cells: int = 1_000_000  # a row's empty cells before its last one included
    unpacked_bytes: int = 50_000_000  # an XLSX's parts together, as its ZIP directory declares; the cells' text too


DEFAULT_LIMITS = SheetLimits()


class SheetTooLarge(ValueError):
    """The file passes one of its limits; the rest of it is not read."""


def read_rows(data: bytes, filename: str, limits: SheetLimits = DEFAULT_LIMITS) -> list[list[str]]:
    """Rows of cells as stripped text, from CSV (UTF-8, `,` or `;`) or XLSX (the first sheet)."""
    if filename.lower().endswith(".xlsx"):
        with closing(xlsx_rows(data, filename, limits)) as rows:
            return bounded(rows, limits)
    text = data.decode("utf-8-sig")
    # The header holds the template's column names, never quotes: its separator is the file's. (csv.Sniffer
    # failed on a header of one column and misread `""` inside quoted cells.)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        return bounded(csv.reader(io.StringIO(text), delimiter=delimiter), limits)
    except csv.Error as e:  # a cell past the csv module's field limit (131,072 characters), a stray NUL
        raise ValueError(f"the CSV file cannot be read: {e}") from None


def bounded(rows: Iterable[list[str]], limits: SheetLimits) -> list[list[str]]:
    """The rows, stripped, stopping with `SheetTooLarge` at the first row past a limit."""
    out: list[list[str]] = []
    cells = chars = 0
    for row in rows:
        if len(out) > limits.rows:  # the header and `limits.rows` rows are in already
            raise SheetTooLarge(
                f"the sheet has more than {limits.rows} rows under its header (the limit): split it into several files"
            )
        cells += len(row)
        if cells > limits.cells:
            raise too_many_cells(limits)
        # a shared string counts in each cell that names it: a 21 KB file held 1.6 GB of text otherwise
        chars += sum(map(len, row))
        if chars > limits.unpacked_bytes:
            raise SheetTooLarge(
                f"the sheet's cells hold more than {limits.unpacked_bytes} characters together (the limit): "
                "split it into several files"
            )
        out.append([cell.strip() for cell in row])
    return out


def too_many_cells(limits: SheetLimits) -> SheetTooLarge:
    return SheetTooLarge(
        f"the sheet has more than {limits.cells} cells (the limit, counting the empty cells "
        "before each row's last one): split it into several files"
    )


def xlsx_rows(data: bytes, filename: str, limits: SheetLimits) -> Generator[list[str], None, None]:
    """The first sheet's rows (an empty list for a row the file skips). What is not an XLSX file, or not
    one this reader understands, is a ValueError naming the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
            if unpacked > limits.unpacked_bytes:  # zipfile never inflates a part past its declared size
                raise SheetTooLarge(
                    f"{filename} unpacks to more than {limits.unpacked_bytes} bytes (the limit): "
                    "split it into several files"
                )
            sheet, strings_part = parts(archive)
            strings = shared_strings(archive, strings_part, limits) if strings_part else []
            with archive.open(sheet) as source:
                yield from sheet_rows(source, strings, limits)
    except (zipfile.BadZipFile, KeyError, ParseError, IndexError, OSError) as e:
        raise ValueError(f"{filename} is not a readable XLSX file ({e})") from None


def parts(archive: zipfile.ZipFile) -> tuple[str, str | None]:
    """The part names of the workbook's first worksheet and of its shared strings (if any), found as
    the package's relationships say (`xl/worksheets/sheet1.xml` and `xl/sharedStrings.xml`, usually)."""
    workbook = next(
        (
            resolve("", t)
            for kind, t in relationships(archive, "_rels/.rels").values()
            if kind.endswith("/officeDocument")
        ),
        None,
    )
    if workbook is None:
        raise KeyError("no workbook in the package")
    folder, name = posixpath.split(workbook)
    relations = relationships(archive, f"{folder}/_rels/{name}.rels")
    first = next(
        (
            sheet.get(RELATIONSHIP_ID)
            for sheet in fromstring(archive.read(workbook)).iter(f"{MAIN}sheet")
            if relations.get(sheet.get(RELATIONSHIP_ID), ("", ""))[0].endswith("/worksheet")
        ),
        None,
    )
    if first is None:
        raise KeyError("no worksheet in the workbook")
    strings = next((resolve(folder, t) for kind, t in relations.values() if kind.endswith("/sharedStrings")), None)
    return resolve(folder, relations[first][1]), strings


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str | None, tuple[str, str]]:
    """{Id: (Type, Target)} of a relationships part."""
    return {
        r.get("Id"): (r.get("Type", ""), r.get("Target", ""))
        for r in fromstring(archive.read(part)).iter(f"{RELATIONSHIPS}Relationship")
    }


def resolve(folder: str, relation_target: str) -> str:
    if relation_target.startswith("/"):
        return relation_target[1:]
    return posixpath.normpath(posixpath.join(folder, relation_target))


def text_of(element: Element) -> str:
    """A string item's text: its `<t>`, or its rich-text runs' (not the phonetic guides)."""
    return "".join(child.text or "" for child in element if child.tag == f"{MAIN}t") + "".join(
        t.text or "" for run in element if run.tag == f"{MAIN}r" for t in run if t.tag == f"{MAIN}t"
    )


def shared_strings(archive: zipfile.ZipFile, part: str, limits: SheetLimits) -> list[str]:
    """The workbook's shared strings; no more than the sheet may have cells."""
    strings: list[str] = []
    root = None
    for event, element in iterparse(archive.open(part), events=("start", "end")):
        if root is None:
            root = element
        elif event == "end" and element.tag == f"{MAIN}si":
            strings.append(text_of(element))
            root.clear()  # nothing of the items read stays in memory but their text
            if len(strings) > limits.cells:
                raise too_many_cells(limits)
    return strings


def sheet_rows(source: IO[bytes], strings: list[str], limits: SheetLimits) -> Iterator[list[str]]:
    """A worksheet's rows, cell by cell: each cell's element is dropped once read, so a row is never
    held as XML, and the cells are counted as they come (a row of a million cells stops at the limit)."""
    cells, number = 0, 0
    row: list[str] = []
    row_element: Element | None = None
    data: Element | None = None  # the sheetData element, once it starts
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            if element.tag == f"{MAIN}sheetData":
                data = element
            elif element.tag == f"{MAIN}row" and data is not None:
                at = int(element.get("r") or number + 1)
                if at <= number:
                    raise ParseError(f"row {at} comes after row {number}")
                for _ in range(number + 1, at):  # rows the file skips are empty rows
                    yield []
                number, row, row_element = at, [], element
            continue
        if element.tag == f"{MAIN}c" and row_element is not None:
            column = column_of(element.get("r"), len(row) + 1)
            if column <= len(row) or column > MAX_COLUMNS:
                raise ParseError(f"cell {element.get('r')} of row {number} is out of place")
            cells += column - len(row)
            if cells > limits.cells:
                raise too_many_cells(limits)
            row += [""] * (column - 1 - len(row)) + [value_of(element, strings)]
            row_element.clear()  # the cell read: let it go
        elif element.tag == f"{MAIN}row" and row_element is not None:
            yield row
            row_element = None
            assert data is not None  # a row is read inside the sheet's data
            data.clear()  # the rows read: let them go
        elif element.tag == f"{MAIN}sheetData":
            return


def column_of(reference: str | None, next_column: int) -> int:
    """The column number of a cell reference (`B3` → 2); the next column when the cell gives none."""
    if not reference:
        return next_column
    found = CELL.match(reference)
    if found is None:
        raise ParseError(f"not a cell reference: {reference[:20]!r}")
    number = 0
    for letter in found.group(1):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def value_of(cell: Element, strings: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{MAIN}is")
        return text_of(inline) if inline is not None else ""
    value = cell.findtext(f"{MAIN}v") or ""
    if kind == "s" and value:
        return strings[int(value)]
    if kind == "b":
        return {"1": "TRUE", "0": "FALSE"}.get(value, value)
    return value
