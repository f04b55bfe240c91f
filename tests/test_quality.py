"""ROBOT-report-like and OOPS!-like checks, written as SPARQL under queries/quality/."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from partenariat.store import to_oxigraph

QUALITY = Path(__file__).resolve().parents[1] / "queries" / "quality"


@pytest.fixture(scope="module")
def store(union) -> ox.Store:
    memory = ox.Store()
    memory.extend(ox.Quad(*(to_oxigraph(t) for t in triple)) for triple in union)
    return memory


@pytest.mark.parametrize("check", sorted(QUALITY.glob("*.rq")), ids=lambda p: p.stem)
def test_quality_check_finds_nothing(store, check: Path):
    rows = [[str(term) for term in row] for row in store.query(check.read_text(encoding="utf-8"))]
    assert rows == []


def test_a_check_does_fire_on_a_faulty_term(store):
    faulty = ox.Quad(
        ox.NamedNode("https://w3id.org/partenariat/def#Faulty"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
    )
    store.add(faulty)
    try:
        rows = list(store.query((QUALITY / "missing-label.rq").read_text(encoding="utf-8")))
        assert {row[0] for row in rows} == {faulty.subject}
        assert len(rows) == 2  # neither the French nor the English label
    finally:
        store.remove(faulty)
