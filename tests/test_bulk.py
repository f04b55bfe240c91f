"""Bulk loading into a new embedded store: same quads and inferences as the build, gzip,
clear errors naming the file and line, nothing replaced or left behind on failure."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from partenariat import bulk, materialise
from partenariat.api import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
INFERRED = ox.NamedNode(materialise.INFERRED_GRAPH)


@pytest.fixture(scope="module")
def asserted_nquads(kg, tmp_path_factory) -> Path:
    """The built store's asserted quads (its inferred graph left out), as an N-Quads file."""
    path = tmp_path_factory.mktemp("bulk") / "corpus.nq"
    asserted = [q for q in kg.store if q.graph_name != INFERRED]
    ox.serialize(asserted, str(path), ox.RdfFormat.N_QUADS)
    return path


def named_quads(store: ox.Store) -> set[ox.Quad]:
    """The quads without blank nodes (their labels may change from one load to another)."""
    return {
        q
        for q in store
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def test_a_bulk_load_with_inference_gives_the_built_store(kg, asserted_nquads, tmp_path):
    target = tmp_path / "store"
    report = bulk.bulk_load([asserted_nquads], target, inference=True)
    loaded = ox.Store.read_only(str(target))
    assert report.quads == len(kg.store) == len(loaded)
    assert report.inferred == sum(1 for _ in kg.store.quads_for_pattern(None, None, None, INFERRED))
    assert named_quads(loaded) == named_quads(kg.store)
    assert set(report.seconds) == {"load", "inference", "compaction"}


def test_the_loaded_store_answers_the_catalogue_as_the_built_one(kg, asserted_nquads, tmp_path):
    target = tmp_path / "store"
    bulk.bulk_load([asserted_nquads], target, inference=True)
    loaded = KnowledgeGraph(target)
    for name in ("cq01-partnership-levels", "case-comparison", "funding-flows"):
        assert loaded.query(name) == kg.query(name), name


def test_gzip_triples_files_go_into_the_graph_given(asserted_nquads, tmp_path):
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(
        path=str(asserted_nquads), format=ox.RdfFormat.N_QUADS
    )]
    plain = tmp_path / "corpus.nt"
    ox.serialize(triples, str(plain), ox.RdfFormat.N_TRIPLES)
    packed = tmp_path / "corpus.nt.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    graph = "https://example.org/graph/corpus"
    report = bulk.bulk_load([packed], tmp_path / "store", graph=graph)
    loaded = ox.Store.read_only(str(tmp_path / "store"))
    assert report.inferred is None and report.quads == len(set(triples)) == len(loaded)
    assert [g.value for g in loaded.named_graphs()] == [graph]


def test_a_syntax_error_names_the_file_and_line_and_keeps_the_old_store(
    asserted_nquads, tmp_path
):
    target = tmp_path / "store"
    bulk.bulk_load([asserted_nquads], target)
    before = len(ox.Store.read_only(str(target)))
    bad = tmp_path / "bad.nq"
    bad.write_text('<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n<https://e.org/a> <https://e.org/b> "x .\n')
    with pytest.raises(bulk.BulkLoadError, match=r"bad\.nq: .*line 2"):
        bulk.bulk_load([asserted_nquads, bad], target)
    assert len(ox.Store.read_only(str(target))) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nq", "store"]


def test_a_folder_that_is_not_a_store_is_never_replaced(asserted_nquads, tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "thesis.odt").write_text("draft")
    with pytest.raises(bulk.BulkLoadError, match="papers: exists and is not a store"):
        bulk.bulk_load([asserted_nquads], folder)
    assert (folder / "thesis.odt").read_text() == "draft"


@pytest.mark.parametrize(
    ("name", "message"),
    [("graph.csv", "unknown RDF format"), ("missing.nq", "no such file")],
)
def test_files_are_checked_before_anything_is_written(tmp_path, name, message):
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("a,b\n")
    with pytest.raises(bulk.BulkLoadError, match=f"{name}: {message}"):
        bulk.bulk_load([path], tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_inference_wants_named_graphs(asserted_nquads, tmp_path):
    plain = tmp_path / "corpus.nt"
    plain.write_text('<https://e.org/a> <https://e.org/b> "c" .\n')
    with pytest.raises(bulk.BulkLoadError, match=r"inference impossible: .*named graphs"):
        bulk.bulk_load([plain], tmp_path / "store", inference=True)
    assert not (tmp_path / "store").exists()




def test_the_command_loads_and_the_query_command_reads_the_store(cli, asserted_nquads, tmp_path):
    target = tmp_path / "store"
    done = cli("bulk-load", str(asserted_nquads), "--store", str(target), "--inference")
    assert done.returncode == 0, done.stderr
    assert "quads (+" in done.stdout and "compaction" in done.stdout
    query = cli("query", "cq01-partnership-levels", "--store", str(target), "--format", "csv")
    assert query.returncode == 0 and "maximal" in query.stdout.lower()


def test_the_command_reports_a_bad_file_in_one_line(cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix : <https://e.org/> .\n:a :b :c ;\n")
    done = cli("bulk-load", str(bad), "--store", str(tmp_path / "store"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "bad.ttl" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "store").exists()
