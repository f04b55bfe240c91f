"""Case templates as spreadsheets: a folder of CSV sheets or an XLSX workbook, both ways.

One sheet per section of the YAML template: case (one row), actors, schemes, partnerships,
funding, figures, passages, objectives, principles, axes and other. Columns are the
section's fields (plus ``id``, ``class``); a column named by a CURIE (``part:x``) holds a
``properties`` entry. A cell holds one value or a list of values joined with " | "; each
value is plain text, or YAML flow syntax where plain text would be read otherwise: numbers,
null (a passage without its default case/source), quoted strings ("2015", "null"),
``{fr: text}`` language maps and amounts (``{value: 4000000, currency: EUR}``). A value
that itself holds " | " is written as a YAML flow list: ``["a | b"]``. An empty cell means
no value. The XLSX workbook holds the same sheets (cells as text) and a ``lists`` sheet
with the ontology's controlled lists, offered as drop-down choices in the columns that
take them.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from partenariat.authoring import (
    CASE_FIELDS,
    EXIT_UNREADABLE,
    SECTIONS,
    AuthoringError,
    vocabularies,
)

SHEETS = ("case", *(section.name for section in SECTIONS), "other")
LISTS_SHEET = "lists"
LIST_SEPARATOR = " | "
FORMATS = ("csv", "xlsx")
_PLACE = re.compile(r"^(?P<sheet>\w+)(?:\[(?P<index>\d+)\])?(?:\.(?P<rest>.+))?$")

Row = list[str]


@dataclass
class SheetProvenance:
    """Where each entry of a spreadsheet template was read: per sheet, the rows' numbers."""

    source: Path
    form: str  # "csv" or "xlsx"
    rows: dict[str, list[int]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)

    def sheet_name(self, sheet: str) -> str:
        """How a message names a sheet: ``actors.csv``, or ``case.xlsx, sheet actors``."""
        return f"{sheet}.csv" if self.form == "csv" else f"{self.source.name}, sheet {sheet}"

    def row_name(self, sheet: str, number: int) -> str:
        """``actors.csv line 4`` or ``case.xlsx, sheet actors, row 4``."""
        word = "line" if self.form == "csv" else "row"
        separator = " " if self.form == "csv" else ", "
        return f"{self.sheet_name(sheet)}{separator}{word} {number}"

    def place(self, where: str) -> str | None:
        """``actors[2].type[0]`` as ``actors.csv line 4, column type``; None when it is no cell."""
        match = _PLACE.match(where)
        if match is None or match.group("sheet") not in SHEETS:
            return None
        sheet = match.group("sheet")
        rows = self.rows.get(sheet, [])
        index = int(match.group("index") or 0)
        if (match.group("index") is None and sheet != "case") or index >= len(rows):
            return None
        rest = match.group("rest")
        text = self.row_name(sheet, rows[index])
        if rest:
            column = rest[len("properties.") :] if rest.startswith("properties.") else rest.split(".")[0]
            column = re.sub(r"\[\d+\]$", "", column)
            text += f", column {column}"
        return text

    def rewrite(self, messages: list[str], name: str) -> list[str]:
        """The import's messages with field paths replaced by sheet, row and column."""
        prefix = name + ": "
        rewritten = []
        for message in messages:
            if message.startswith(prefix):
                where, _, rest = message[len(prefix) :].partition(": ")
                place = self.place(where) if rest else None
                if place is not None:
                    rewritten.append(f"{place}: {rest}")
                    continue
            rewritten.append(message)
        return rewritten


# -- cells --------------------------------------------------------------------------


def cell_value(value: Any) -> str:
    """One value as cell text: plain when YAML reads it back unchanged, flow YAML otherwise."""
    if isinstance(value, str) and LIST_SEPARATOR not in value and "\n" not in value:
        try:
            back = yaml.safe_load(value)
        except yaml.YAMLError:
            back = None
        if type(back) is str and back == value:
            return value
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def cell(value: Any) -> str:
    """A value or a list of values as the text of one cell."""
    values = value if isinstance(value, list) else [value]
    cells = [cell_value(v) for v in values]
    if any(LIST_SEPARATOR in c for c in cells) or (
        isinstance(value, list) and len(value) == 1 and cells[0].startswith("[")
    ):
        return cell_value(list(values)).replace("\n", " ")
    return LIST_SEPARATOR.join(cells)


def read_cell(text: str) -> Any:
    """The inverse of cell; raises yaml.YAMLError on bad flow syntax."""
    if text.startswith("["):
        return yaml.safe_load(text)
    values = [yaml.safe_load(piece) if piece.strip() else piece for piece in text.split(LIST_SEPARATOR)]
    return values if len(values) > 1 else values[0]


# -- writing --------------------------------------------------------------------------


def section_columns(sheet: str) -> list[str]:
    """The columns a sheet has when empty: id, class where a section has several, its fields."""
    if sheet == "case":
        return ["id", *(f.key for f in CASE_FIELDS)]
    if sheet == "other":
        return ["id", "class"]
    section = next(s for s in SECTIONS if s.name == sheet)
    return ["id", *(["class"] if len(section.classes) > 1 else []), *(f.key for f in section.fields)]


def template_to_rows(document: dict[str, Any]) -> dict[str, list[Row]]:
    """A template document (as authoring.export_graph builds it) as rows, header first, by sheet."""

    def rows(entries: list[dict[str, Any]], keys: list[str]) -> list[Row]:
        curies = sorted({k for e in entries for k in (e.get("properties") or {})})
        present = {k for e in entries for k in e}
        columns = [k for k in keys if k != "file" or k in present] + curies
        table = [columns]
        for entry in entries:
            properties = entry.get("properties") or {}
            table.append(
                [
                    cell(properties[c]) if c in properties
                    else cell(entry[c]) if c in entry and c != "properties"
                    else ""
                    for c in columns
                ]
            )
        return table

    case_entry = {k: v for k, v in document.items() if k not in SHEETS[1:]}
    sheets = {"case": rows([case_entry], ["id", "file", *(f.key for f in CASE_FIELDS)])}
    for sheet in SHEETS[1:]:
        sheets[sheet] = rows(document.get(sheet) or [], section_columns(sheet))
    return sheets


def empty_rows(case_id: str) -> dict[str, list[Row]]:
    """An empty template: every sheet with its header, the case sheet with the id filled in."""
    sheets = {sheet: [section_columns(sheet)] for sheet in SHEETS}
    sheets["case"].append([case_id, *([""] * (len(sheets["case"][0]) - 1))])
    return sheets


def csv_texts(sheets: dict[str, list[Row]]) -> dict[str, str]:
    """Rows by sheet as CSV file texts by file name."""
    texts = {}
    for sheet, rows in sheets.items():
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\n").writerows(rows)
        texts[f"{sheet}.csv"] = stream.getvalue()
    return texts


def write_folder_atomically(target: Path, files: dict[str, str]) -> None:
    """Write a folder of files through a temporary sibling folder and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, text in files.items():
            (temporary / name).write_text(text, encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            os.rmdir(old)
            os.rename(target, old)
            os.rename(temporary, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _vocabulary_of(column: str) -> str | None:
    """The controlled list a column takes its values from, if any."""
    for section in SECTIONS:
        for spec in section.fields:
            if spec.key == column and spec.kind.startswith("concept:"):
                return spec.kind.split(":", 1)[1]
    for spec in CASE_FIELDS:
        if spec.key == column and spec.kind.startswith("concept:"):
            return spec.kind.split(":", 1)[1]
    return None


def write_workbook(target: Path, sheets: dict[str, list[Row]], root: Path | None = None) -> None:
    """Write rows by sheet as an XLSX workbook (temporary file, then rename).

    Every cell is text, so that "2015" stays a string and YAML flow values stay as typed.
    A ``lists`` sheet holds each controlled list of the ontology in a column; the columns
    that take one offer it as a drop-down (without refusing other text, as a cell may hold
    several values joined by " | ").
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    vocab = vocabularies(root)
    book = Workbook()
    book.remove(book.active)
    lists = book.create_sheet(LISTS_SHEET)
    list_ranges: dict[str, str] = {}
    for index, (name, words) in enumerate(sorted(vocab.items()), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=name).font = Font(bold=True)
        for row, word in enumerate(words, start=2):
            lists.cell(row=row, column=index, value=word)
        list_ranges[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(words) + 1}"
    for sheet, rows in sheets.items():
        page = book.create_sheet(sheet, index=len(book.sheetnames) - 1)
        for row_number, row in enumerate(rows, start=1):
            for column_number, text in enumerate(row, start=1):
                if text != "":
                    target_cell = page.cell(row=row_number, column=column_number, value=text)
                    target_cell.data_type = "s"
        for column_number, name in enumerate(rows[0] if rows else [], start=1):
            page.cell(row=1, column=column_number).font = Font(bold=True)
            page.column_dimensions[get_column_letter(column_number)].width = max(12, min(40, len(name) + 4))
            scheme = _vocabulary_of(name)
            if scheme in list_ranges:
                letter = get_column_letter(column_number)
                validation = DataValidation(
                    type="list", formula1=list_ranges[scheme], allow_blank=True,
                    showErrorMessage=False, promptTitle=name, prompt=f"one of {scheme}",
                )
                validation.add(f"{letter}2:{letter}1000")
                page.add_data_validation(validation)
        page.freeze_panes = "A2"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_template(target: Path, sheets: dict[str, list[Row]], fmt: str, root: Path | None = None) -> None:
    """Write a template as a CSV folder or an XLSX workbook, atomically."""
    if fmt == "csv":
        write_folder_atomically(target, csv_texts(sheets))
    elif fmt == "xlsx":
        write_workbook(target, sheets, root)
    else:
        raise AuthoringError([f"{fmt!r} is not a spreadsheet format; write csv or xlsx"], EXIT_UNREADABLE)


# -- reading --------------------------------------------------------------------------


def _csv_sheets(folder: Path, errors: list[str]) -> Iterator[tuple[str, list[tuple[int, Row]]]]:
    """The sheets of a CSV folder: name and (line, cells) rows, header first."""
    names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".csv")
    files = [f"{s}.csv" for s in SHEETS]
    for name in names:
        if name not in files:
            close = difflib.get_close_matches(name, files, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"expected {', '.join(files)}"
            errors.append(f"{folder / name}: unknown sheet; {hint}")
    if "case.csv" not in names:
        errors.append(f"{folder}: case.csv is missing (one row: id, number, title…)")
    for sheet in SHEETS:
        path = folder / f"{sheet}.csv"
        if not path.is_file():
            continue
        rows: list[tuple[int, Row]] = []
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                reader = csv.reader(stream)
                start = 1
                for row in reader:
                    rows.append((start, row))
                    start = reader.line_num + 1
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise AuthoringError([f"{path}: cannot be read ({error})"], EXIT_UNREADABLE) from None
        yield sheet, rows


def _text_of(value: Any) -> str:
    """A workbook cell as text: numbers and dates typed by a spreadsheet program as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_sheets(path: Path, errors: list[str]) -> Iterator[tuple[str, list[tuple[int, Row]]]]:
    """The sheets of a workbook: name and (row number, cells) rows, header first."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError or its own errors
        raise AuthoringError([f"{path}: not a readable XLSX workbook ({error})"], EXIT_UNREADABLE) from None
    try:
        for name in book.sheetnames:
            if name not in SHEETS and name != LISTS_SHEET:
                close = difflib.get_close_matches(name, SHEETS, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"expected {', '.join(SHEETS)}"
                errors.append(f"{path}, sheet {name}: unknown sheet; {hint}")
        if "case" not in book.sheetnames:
            errors.append(f"{path}: the sheet 'case' is missing (one row: id, number, title…)")
        for sheet in SHEETS:
            if sheet not in book.sheetnames:
                continue
            rows = [
                (number, [_text_of(value) for value in values])
                for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1)
            ]
            yield sheet, rows
    finally:
        book.close()


def read_template(path: Path) -> tuple[dict[str, Any], SheetProvenance]:
    """A CSV folder or XLSX workbook as the document the YAML loader builds, and where rows were read."""
    path = Path(path)
    if path.is_dir():
        form, sheets_of = "csv", _csv_sheets
    elif path.suffix.lower() == ".xlsx":
        if not path.is_file():
            raise AuthoringError([f"{path}: no such file"], EXIT_UNREADABLE)
        form, sheets_of = "xlsx", _xlsx_sheets
    else:
        raise AuthoringError([f"{path}: not a folder of CSV sheets nor an .xlsx workbook"], EXIT_UNREADABLE)
    provenance = SheetProvenance(path, form)
    errors: list[str] = []
    document: dict[str, Any] = {}
    for sheet, rows in sheets_of(path, errors):
        header = [c.strip() for c in rows[0][1]] if rows else []
        while header and not header[-1]:
            header.pop()
        provenance.columns[sheet] = header
        entries: list[dict[str, Any]] = []
        numbers: list[int] = []
        for number, row in rows[1:]:
            if not any(c.strip() for c in row):
                continue
            where = provenance.row_name(sheet, number)
            if len([c for c in row[len(header) :] if c.strip()]):
                errors.append(f"{where}: {len(row)} cells for {len(header)} columns")
            entry: dict[str, Any] = {}
            for column, text in zip(header, row, strict=False):
                if not text.strip():
                    continue
                try:
                    value = read_cell(text)
                except yaml.YAMLError as error:
                    problem = getattr(error, "problem", None) or str(error)
                    errors.append(f"{where}, column {column}: cannot be read ({problem})")
                    continue
                if ":" in column:
                    entry.setdefault("properties", {})[column] = value
                else:
                    entry[column] = value
            entries.append(entry)
            numbers.append(number)
        provenance.rows[sheet] = numbers
        if sheet == "case":
            if len(entries) != 1:
                errors.append(f"{provenance.sheet_name('case')}: write exactly one row under the header, found {len(entries)}")
            if entries:
                document.update(entries[0])
        else:
            document[sheet] = entries
    if errors:
        raise AuthoringError(errors, EXIT_UNREADABLE)
    return document, provenance


def is_spreadsheet(path: Path) -> bool:
    """Whether import should read the path as a spreadsheet template (a folder or an .xlsx file)."""
    return Path(path).is_dir() or Path(path).suffix.lower() == ".xlsx"


def sheet_names(form: str) -> Iterable[str]:
    """The sheet (or CSV file) names a template of that form holds."""
    return [f"{s}.csv" for s in SHEETS] if form == "csv" else [*SHEETS, LISTS_SHEET]
