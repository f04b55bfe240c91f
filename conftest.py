"""Shared fixtures (tests and doctests): the corpus parsed once, the graph built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from partenariat import build, corpus
from partenariat.api import KnowledgeGraph

ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def root() -> Path:
    """The project root."""
    return ROOT


@pytest.fixture(scope="session")
def model() -> corpus.Corpus:
    """Every ontology and data file, parsed."""
    return corpus.load(root=ROOT)


@pytest.fixture(scope="session")
def union(model):
    """The whole corpus in one rdflib Graph."""
    return model.union()


@pytest.fixture(scope="session")
def shapes():
    """The SHACL shapes."""
    return corpus.load_shapes(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Path, build.BuildReport]:
    """The real build, run once into a temporary folder: (folder, report)."""
    out = tmp_path_factory.mktemp("build")
    report = build.build(out=out, root=ROOT)
    return out, report


@pytest.fixture(scope="session")
def kg(built) -> KnowledgeGraph:
    """The built graph's embedded store."""
    out, _report = built
    return KnowledgeGraph(out / "store")


@pytest.fixture(autouse=True)
def _doctest_graph(request, doctest_namespace) -> None:
    """Docstring examples see the built graph as `kg`."""
    if isinstance(request.node, pytest.DoctestItem):
        doctest_namespace["kg"] = request.getfixturevalue("kg")
