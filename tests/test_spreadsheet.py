"""Case templates as spreadsheets: CSV folders and XLSX workbooks, round trips and row errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from rdflib import Graph
from rdflib.compare import isomorphic

from partenariat import authoring, spreadsheet
from tests.test_authoring import CASES, EXAMPLES, ROOT, copy_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.mark.parametrize("case_file", CASES, ids=[path.stem for path in CASES])
def test_export_then_import_through_csv_gives_the_same_graph(case_file: Path, project: Path, tmp_path: Path):
    folder = tmp_path / case_file.stem
    authoring.export_case(case_file.stem, ROOT, fmt="csv", out=folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(spreadsheet.sheet_names("csv"))
    document, _ = spreadsheet.read_template(folder)
    assert document["actors"] and document["passages"]
    result = authoring.import_case(folder, root=project, force=True)
    assert result.path == project / "data" / "cases" / case_file.name
    assert isomorphic(Graph().parse(case_file), Graph().parse(result.path))


@pytest.mark.parametrize("case_file", CASES, ids=[path.stem for path in CASES])
def test_export_then_import_through_xlsx_gives_the_same_graph(case_file: Path, project: Path, tmp_path: Path):
    workbook = tmp_path / f"{case_file.stem}.xlsx"
    authoring.export_case(case_file.stem, ROOT, fmt="xlsx", out=workbook)
    assert load_workbook(workbook).sheetnames == list(spreadsheet.sheet_names("xlsx"))
    result = authoring.import_case(workbook, root=project, force=True)
    assert isomorphic(Graph().parse(case_file), Graph().parse(result.path))


def test_cells_read_back_unchanged():
    for value in ["plain", "2015", "null", "a: b", "x | y", ["x | y"], ["one"], [1, "two"], None, 0.9,
                  {"fr": "texte"}, {"value": 4000000, "currency": "EUR"}, "[not a list", " padded "]:
        back = spreadsheet.read_cell(spreadsheet.cell(value))
        # a list of one may come back as its value, a value holding " | " as a list of one
        assert back in (value, [value]) or (isinstance(value, list) and back == value[0]), value


def test_the_workbook_offers_the_ontology_lists(tmp_path: Path):
    workbook = tmp_path / "case.xlsx"
    authoring.export_case("encadre-1", ROOT, fmt="xlsx", out=workbook)
    book = load_workbook(workbook)
    lists = book[spreadsheet.LISTS_SHEET]
    headers = [c.value for c in lists[1]]
    column = headers.index("organisation-types") + 1
    words = [row[0] for row in lists.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True) if row[0]]
    assert words == list(authoring.vocabularies(ROOT)["organisation-types"])
    actors = book["actors"]
    type_column = [c.value for c in actors[1]].index("type")
    letter = actors.cell(row=1, column=type_column + 1).column_letter
    validations = actors.data_validations.dataValidation
    assert any(f"{letter}2:{letter}1000" in str(v.sqref) for v in validations)
    assert any(v.formula1.startswith(f"{spreadsheet.LISTS_SHEET}!$") for v in validations)
    assert actors["A2"].data_type == "s"


def test_numbers_and_dates_typed_in_a_spreadsheet_program_are_read_as_written(tmp_path: Path):
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    page = book.active
    page.title = "case"
    page.append(["id", "number", "title", "year"])
    page.append(["encadre-9", 9, "Titre", datetime.date(2016, 5, 1)])
    path = tmp_path / "typed.xlsx"
    book.save(path)
    document, provenance = spreadsheet.read_template(path)
    assert document["number"] == 9 and document["year"] == datetime.date(2016, 5, 1)
    assert provenance.place("case.title") == "typed.xlsx, sheet case, row 2, column title"


def test_export_case_as_csv_and_xlsx_from_the_command_line(cli, tmp_path: Path):
    folder = tmp_path / "sheets"
    result = cli("export-case", "encadre-1", "--format", "csv", "--out", str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "case.csv").read_text(encoding="utf-8").startswith("id,file,number,title")
    again = cli("export-case", "encadre-1", "--format", "csv", "--out", str(folder))
    assert again.returncode == 0, again.stderr
    workbook = tmp_path / "case.xlsx"
    assert cli("export-case", "encadre-1", "--format", "xlsx", "--out", str(workbook)).returncode == 0
    assert load_workbook(workbook)["case"]["A2"].value == "encadre-1"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert cli("export-case", "encadre-1", "--format", "csv").returncode == 2
    assert cli("export-case", "encadre-1", "--format", "xlsx").returncode == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_new_case_writes_an_empty_spreadsheet_that_import_reads(cli, tmp_path: Path, project: Path, fmt: str):
    target = tmp_path / ("encadre-8" if fmt == "csv" else "encadre-8.xlsx")
    result = cli("new-case", "encadre-8", "--format", fmt, "--out", str(target))
    assert result.returncode == 0, result.stderr
    document, _ = spreadsheet.read_template(target)
    assert document["id"] == "encadre-8"
    assert all(document[sheet] == [] for sheet in spreadsheet.SHEETS[1:])
    imported = cli("import", str(target), env={"PARTENARIAT_ROOT": str(project)})
    assert imported.returncode == 1
    assert "Traceback" not in imported.stderr
    assert not (project / "data" / "cases" / "encadre-8.ttl").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_errors_name_the_row_and_column(cli, tmp_path: Path, project: Path, fmt: str):
    document = yaml.safe_load((EXAMPLES / "encadre-7-errors.yaml").read_text(encoding="utf-8"))
    target = tmp_path / ("encadre-7" if fmt == "csv" else "encadre-7.xlsx")
    spreadsheet.write_template(target, spreadsheet.template_to_rows(document), fmt, ROOT)
    result = cli("import", str(target), env={"PARTENARIAT_ROOT": str(project)})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    actors, partnerships, passages = (
        ("actors.csv line 4", "partnerships.csv line 2", "passages.csv line 2") if fmt == "csv" else
        ("encadre-7.xlsx, sheet actors, row 4", "encadre-7.xlsx, sheet partnerships, row 2",
         "encadre-7.xlsx, sheet passages, row 2")
    )
    assert f"{actors}, column type: 'CAFF' is not an organisation type; did you mean 'caf'?" in lines
    assert (
        f"{partnerships}, column partner: 'youth-workers-five-e7' is not defined here or in "
        "the corpus; did you mean 'youth-workers-fives-e7'?"
    ) in lines
    assert any(line.startswith(f"{passages}, column exact: not found in") for line in lines)
    assert "Traceback" not in result.stderr
    assert not (project / "data" / "cases" / "encadre-7-roubaix.ttl").exists()


def test_a_csv_folder_with_an_unknown_sheet_is_refused(cli, tmp_path: Path, project: Path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.csv").write_text("id,number,title\nencadre-7,7,Titre\n", encoding="utf-8")
    (folder / "actor.csv").write_text("id\nx\n", encoding="utf-8")
    result = cli("import", str(folder), env={"PARTENARIAT_ROOT": str(project)})
    assert result.returncode == 2
    assert "unknown sheet; did you mean 'actors.csv'?" in result.stderr


def test_a_file_that_is_no_workbook_is_refused(cli, tmp_path: Path, project: Path):
    fake = tmp_path / "case.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    result = cli("import", str(fake), env={"PARTENARIAT_ROOT": str(project)})
    assert result.returncode == 2
    assert "not a readable XLSX workbook" in result.stderr and "Traceback" not in result.stderr
