"""Shared fixtures (tests and doctests): the corpus parsed once, the graph built once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

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


EXAMPLE_CONTEXT_FILES = ("ontology", "data/source", "data/reference", "data/programmes.ttl")


@pytest.fixture(scope="session")
def example_context(root) -> Graph:
    """The ontology, concept schemes, source and reference data the failing examples of
    tests/shapes/ lean on (read only: the tests copy it)."""
    graph = Graph()
    for name in EXAMPLE_CONTEXT_FILES:
        path = root / name
        for file in sorted(path.rglob("*.ttl")) if path.is_dir() else [path]:
            corpus.parse_turtle(file, graph)
    return graph


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


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `partenariat` command in a child process, as a user would, and capture it."""
    return subprocess.run(
        [sys.executable, "-m", "partenariat.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "COLUMNS": "200"},
        timeout=300,
    )


@pytest.fixture(scope="session")
def cli():
    """The command line, run in a child process: cli(*args, cwd=..., env=...)."""
    return run_cli


@pytest.fixture(autouse=True)
def _doctest_graph(request, doctest_namespace) -> None:
    """Docstring examples see the built graph as `kg`."""
    if isinstance(request.node, pytest.DoctestItem):
        doctest_namespace["kg"] = request.getfixturevalue("kg")


# -- real SPARQL servers, for tests/test_remote.py -------------------------------------


def servers_module():
    """tests/servers.py (not a test module), imported once by file path."""
    import importlib.util
    import sys

    name = "partenariat_test_servers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "servers.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _run_server(start_name: str):
    """Start a server for the session; skip when it is not installed, unless $CI is set."""
    import os

    servers = servers_module()
    try:
        server = getattr(servers, start_name)()
    except servers.ServerUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"{error}; CI must run the server tests")
        pytest.skip(str(error))
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_server():
    """An Oxigraph server (union default graph) on a free 127.0.0.1 port: its Endpoint."""
    yield from _run_server("start_oxigraph")


@pytest.fixture(scope="session")
def virtuoso_server():
    """A Virtuoso 7 server with a new database on free 127.0.0.1 ports: its Endpoint (dba)."""
    yield from _run_server("start_virtuoso")


@pytest.fixture(scope="session")
def server_tools():
    """tests/servers.py: free ports, server start and stop, and a proxy that breaks requests."""
    return servers_module()
