"""The query catalogue: headers, typed parameters, and safe binding through VALUES."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from partenariat import catalogue


def test_every_query_has_a_title_and_description():
    entries = catalogue.catalogue()
    assert len(entries) >= 16
    for entry in entries.values():
        assert entry.title and entry.description, entry.path


def test_every_query_parses_with_its_parameters_bound():
    memory = ox.Store()
    for entry in catalogue.catalogue().values():
        memory.query(catalogue.bound_text(entry, {}))  # raises SyntaxError if malformed


def test_header_parameters_are_read(tmp_path: Path):
    path = tmp_path / "q.rq"
    path.write_text(
        "# title: T\n# question: CQ99\n# description: one\n# description: two\n"
        "# param: case iri pid:encadre-1 -- the case\n# param: n integer\n"
        "SELECT ?x WHERE { ?x ?p ?case }\n",
        encoding="utf-8",
    )
    entry = catalogue.parse_query_file(path)
    assert (entry.title, entry.question, entry.description) == ("T", "CQ99", "one two")
    assert entry.parameters == [
        catalogue.Parameter("case", "iri", "pid:encadre-1", "the case"),
        catalogue.Parameter("n", "integer", None, ""),
    ]


def test_a_bad_parameter_type_names_the_line(tmp_path: Path):
    path = tmp_path / "q.rq"
    path.write_text("# title: T\n# param: x float 1\nSELECT * WHERE {}\n", encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=r"q\.rq:2"):
        catalogue.parse_query_file(path)


def test_values_are_terms_not_text():
    entry = catalogue.resolve("cq06-who-pays-what")
    hostile = 'pid:x> } ; DROP ALL ; SELECT * WHERE { <a'
    with pytest.raises(catalogue.CatalogueError):
        catalogue.bound_text(entry, {"case": hostile})
    with pytest.raises(catalogue.CatalogueError, match="lang"):  # a language tag or nothing
        catalogue.bound_text(catalogue.resolve("cq01-partnership-levels"), {"lang": 'fr") } DROP ALL { ("'})
    text = catalogue.bound_text(catalogue.resolve("cq02-values-of-care"), {"lang": "en"})
    assert 'FILTER(LANG(?label) = "en"' in text and "= ?lang" not in text


def test_invalid_values_are_refused():
    entry = catalogue.resolve("cq11-organisation-types-across-cases")
    with pytest.raises(catalogue.CatalogueError, match="minCases"):
        catalogue.bound_text(entry, {"minCases": "three"})
    with pytest.raises(catalogue.CatalogueError, match="unknown parameter"):
        catalogue.bound_text(entry, {"nope": "1"})
    with pytest.raises(catalogue.CatalogueError, match="no such query"):
        catalogue.resolve("nope")


def test_cases_grouped_by_departement_region_and_academie(kg):
    rows = {row["caseNumber"]: row for row in kg.query("cases-by-territory")}
    assert (rows[1]["departement"], rows[1]["region"], rows[1]["academie"]) == (
        "Charente",
        "Nouvelle-Aquitaine",
        "Académie de Poitiers",
    )
    assert {rows[n]["departement"] for n in (3, 6)} == {"Nord"}
    assert {rows[n]["departement"] for n in (4, 5)} == {"Pas-de-Calais"}
    assert {rows[n]["academie"] for n in range(2, 7)} == {"Académie de Lille"}
    assert {rows[n]["region"] for n in range(2, 7)} == {"Hauts-de-France"}


def test_a_parameter_without_default_must_be_given(tmp_path: Path):
    path = tmp_path / "q.rq"
    path.write_text("# title: T\n# param: actor iri\nSELECT ?s WHERE { ?s ?p ?actor }\n", encoding="utf-8")
    entry = catalogue.parse_query_file(path)
    with pytest.raises(catalogue.CatalogueError, match=r"missing parameter.*actor: iri"):
        catalogue.bound_text(entry, {})
    assert "<https://w3id.org/partenariat/id/apsa>" in catalogue.bound_text(entry, {"actor": "pid:apsa"})
