"""KnowledgeGraph: catalogue queries by name, SPARQL text, and plain Python values."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from partenariat import store
from partenariat.api import KnowledgeGraph, python_value


def test_python_values_follow_the_datatype():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert python_value(ox.Literal("3", datatype=ox.NamedNode(xsd + "integer"))) == 3
    assert python_value(ox.Literal("0.35", datatype=ox.NamedNode(xsd + "decimal"))) == 0.35
    assert python_value(ox.Literal("2009", datatype=ox.NamedNode(xsd + "gYear"))) == "2009"
    assert python_value(ox.NamedNode("https://w3id.org/partenariat/id/apsa")).endswith("/apsa")
    assert python_value(None) is None


def test_query_by_name_and_by_text_agree(kg):
    by_name = kg.query("cq01-partnership-levels")
    by_text = kg.query((Path(__file__).parents[1] / "queries" / "cq01-partnership-levels.rq").read_text()
                       .replace("?lang", '"fr"'))
    assert by_name == by_text


def test_select_runs_over_the_union_of_graphs(kg):
    rows = kg.select(
        "PREFIX part: <https://w3id.org/partenariat/def#> "
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a part:CaseStudy }"
    )
    assert rows == [{"n": 6}]


def test_opening_a_folder_without_store_fails_clearly(tmp_path: Path):
    with pytest.raises(store.StoreError, match="partenariat build"):
        KnowledgeGraph(tmp_path)
