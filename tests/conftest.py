"""Shared fixtures: the corpus parsed once, and the graph built once into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from partenariat import build, corpus
from partenariat.api import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]


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
