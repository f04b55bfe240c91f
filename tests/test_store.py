"""The embedded store: bulk-loaded into a staging folder, swapped in whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef

from partenariat import store


def _dataset(value: str) -> Dataset:
    dataset = Dataset()
    graph = dataset.graph(URIRef("https://w3id.org/partenariat/graph/test"))
    graph.add((URIRef("http://x/s"), URIRef("http://x/p"), Literal(value, lang="fr")))
    graph.add((URIRef("http://x/s"), URIRef("http://x/n"), Literal(3)))
    return dataset


def test_build_store_loads_every_quad(tmp_path: Path):
    assert store.build_store(_dataset("un"), tmp_path / "store") == 2
    opened = store.open_store(tmp_path / "store")
    values = {q.object for q in opened.quads_for_pattern(None, ox.NamedNode("http://x/p"), None)}
    assert values == {ox.Literal("un", language="fr")}


def test_a_failing_load_keeps_the_previous_store(tmp_path: Path, monkeypatch):
    target = tmp_path / "store"
    store.build_store(_dataset("ancien"), target)

    def broken(_dataset):
        yield from ()
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "quads", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        store.build_store(_dataset("nouveau"), target)
    opened = store.open_store(target)
    assert {q.object.value for q in opened.quads_for_pattern(None, ox.NamedNode("http://x/p"), None)} == {
        "ancien"
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_opening_a_missing_store_says_to_build(tmp_path: Path):
    with pytest.raises(store.StoreError, match="partenariat build"):
        store.open_store(tmp_path / "nothing")
