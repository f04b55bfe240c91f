"""The partnership network of the real graph: two-mode, projections, measures, exports."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from partenariat import network

PID = "https://w3id.org/partenariat/id/"


@pytest.fixture(scope="module")
def affiliations(kg):
    return network.affiliations_from_rows(kg.query(network.AFFILIATIONS_QUERY))


@pytest.fixture(scope="module")
def two_mode(affiliations):
    return network.two_mode(affiliations)


def test_two_mode_network_is_bipartite_without_recipients(two_mode, union):
    assert nx.is_bipartite(two_mode)
    assert {k for _n, k in two_mode.nodes(data="kind")} == {"actor", "scheme"}
    assert PID + "recipient-f" not in two_mode
    assert PID + "father-of-f" not in two_mode
    assert two_mode.has_edge(PID + "apsa", PID + "pathway-f")
    assert two_mode.nodes[PID + "caf-pas-de-calais"]["organisation_type"].startswith("CAF")


def test_every_participation_of_the_graph_is_an_edge(kg, two_mode):
    rows = kg.select(
        """PREFIX part: <https://w3id.org/partenariat/def#>
        SELECT DISTINCT ?a ?s WHERE { ?p part:partner ?a ; part:inScheme ?s .
          FILTER NOT EXISTS { ?a a part:Recipient } }"""
    )
    assert {(r["a"], r["s"]) for r in rows} == {
        (u, v) if two_mode.nodes[u]["kind"] == "actor" else (v, u) for u, v in two_mode.edges
    }



def test_edge_weights_count_participations_not_rows(kg, affiliations, two_mode):
    # APSA has two organisation types and its follow-up of F. two evidence passages of
    # case 1: several rows of the affiliation query, one participation.
    rows = [a for a in affiliations if a.actor == PID + "apsa"]
    assert len(rows) > 1 and {a.participation for a in rows} == {PID + "partnership-pathway-f-apsa"}
    assert two_mode.edges[PID + "apsa", PID + "pathway-f"]["weight"] == 1
    counted = kg.select(
        """PREFIX part: <https://w3id.org/partenariat/def#>
        SELECT ?a ?s (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p part:partner ?a ; part:inScheme ?s .
          FILTER NOT EXISTS { ?a a part:Recipient } } GROUP BY ?a ?s"""
    )
    assert {(r["a"], r["s"]): r["n"] for r in counted} == {
        (u, v) if two_mode.nodes[u]["kind"] == "actor" else (v, u): w
        for u, v, w in two_mode.edges(data="weight")
    }

def test_actor_projection_counts_shared_schemes(two_mode):
    projected = network.actor_projection(two_mode)
    for u, v, weight in projected.edges(data="weight"):
        assert weight == len(set(two_mode[u]) & set(two_mode[v]))
    assert set(projected) == {n for n, k in two_mode.nodes(data="kind") if k == "actor"}


def test_actor_projection_by_cases(two_mode):
    projected = network.actor_projection(two_mode, by="cases")
    caf = PID + "caf-pas-de-calais"
    ddcs = PID + "ddcs-pas-de-calais"
    assert projected.edges[caf, ddcs]["cases"] == "4"
    assert not projected.has_edge(caf, PID + "caf-valenciennes")


def test_scheme_projection_counts_shared_partners(two_mode):
    projected = network.scheme_projection(two_mode)
    for u, v, weight in projected.edges(data="weight"):
        assert weight == len(set(two_mode[u]) & set(two_mode[v]))


def test_measures_are_consistent(two_mode):
    projected = network.actor_projection(two_mode)
    rows = {row.node: row for row in network.measures(projected)}
    assert set(rows) == set(projected)
    for node, row in rows.items():
        assert row.degree == projected.degree(node)
        roles = sum(row.brokerage.values())
        neighbours = list(projected[node])
        open_pairs = sum(
            1 for i, a in enumerate(neighbours) for c in neighbours[i + 1 :] if not projected.has_edge(a, c)
        )
        assert roles == 2 * open_pairs
        assert row.brokerage.get("gatekeeper", 0) == row.brokerage.get("representative", 0)
    assert len({row.component for row in rows.values()}) == nx.number_connected_components(projected)


def test_brokerage_roles_on_a_known_graph():
    g = nx.Graph([("a", "e"), ("e", "c"), ("e", "d")])
    nx.set_node_attributes(g, {"a": "X", "e": "X", "c": "X", "d": "Y"}, "organisation_type")
    roles = network.brokerage(g)["e"]
    assert roles == {"coordinator": 2, "gatekeeper": 2, "representative": 2}
    g.add_node("f", organisation_type="Z")
    g.add_edge("e", "f")
    g.nodes["e"]["organisation_type"] = "W"
    assert network.brokerage(g)["e"]["liaison"] == 10


def test_ego_network(two_mode):
    ego = network.ego_network(two_mode, PID + "apsa")
    assert set(ego) == {PID + "apsa", *two_mode[PID + "apsa"]}
    with pytest.raises(network.NetworkError, match="not a node"):
        network.ego_network(two_mode, PID + "nobody")


def test_bridges_match_an_independent_count(two_mode, affiliations):
    cases_of = defaultdict(set)
    for item in affiliations:
        if item.case is not None:
            cases_of[item.actor].add(item.case)
    expected = {actor for actor, cases in cases_of.items() if len(cases) >= 2}
    found = {node for node, _label, _cases in network.bridges_between_cases(two_mode)}
    assert expected == found & set(cases_of)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_gephi_files_keep_attributes_and_weights(two_mode, tmp_path: Path, fmt):
    path = tmp_path / f"net.{fmt}"
    network.write(two_mode, path, fmt)
    back = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert back.number_of_nodes() == two_mode.number_of_nodes()
    assert back.number_of_edges() == two_mode.number_of_edges()
    node = back.nodes[PID + "apsa"]
    assert node["kind"] == "actor" and node["cases"] == "1" and node["organisation_type"]
    assert all("weight" in data for _u, _v, data in back.edges(data=True))
    assert not list(tmp_path.glob(".*partial"))


def test_json_and_pictures(two_mode, tmp_path: Path):
    network.write(two_mode, tmp_path / "net.json", "json")
    assert '"links"' in (tmp_path / "net.json").read_text(encoding="utf-8")
    network.write(two_mode, tmp_path / "net.png", "png")
    assert (tmp_path / "net.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    network.write(two_mode, tmp_path / "net.svg", "svg")
    assert "<svg" in (tmp_path / "net.svg").read_text(encoding="utf-8")[:500]


def test_unknown_mode_or_format(affiliations, tmp_path: Path):
    with pytest.raises(network.NetworkError, match="unknown mode"):
        network.network(affiliations, "triangles")
    with pytest.raises(network.NetworkError, match="unknown format"):
        network.write(nx.Graph(), tmp_path / "x.dot", "dot")


def test_projections_equal_networkx_weighted_projections(kg):
    from networkx.algorithms import bipartite

    rows = kg.query(network.AFFILIATIONS_QUERY)
    graph = network.two_mode(network.affiliations_from_rows(rows))
    for ours, kind in ((network.actor_projection(graph), "actor"), (network.scheme_projection(graph), "scheme")):
        reference = bipartite.weighted_projected_graph(graph, [n for n, k in graph.nodes(data="kind") if k == kind])
        assert set(ours.nodes) == set(reference.nodes)
        assert {frozenset((a, b)): w for a, b, w in ours.edges(data="weight")} == {
            frozenset((a, b)): w for a, b, w in reference.edges(data="weight")
        }


def test_sampled_betweenness_approaches_the_exact_one(kg):
    rows = kg.query(network.AFFILIATIONS_QUERY)
    graph = network.actor_projection(network.two_mode(network.affiliations_from_rows(rows)))
    exact = {m.node: m.betweenness for m in network.measures(graph)}
    sampled = {m.node: m.betweenness for m in network.measures(graph, sample=graph.number_of_nodes() // 2)}
    top = sorted(exact, key=exact.get, reverse=True)[:3]
    assert set(top) & set(sorted(sampled, key=sampled.get, reverse=True)[:5])
    everything = {m.node: m.betweenness for m in network.measures(graph, sample=10 * graph.number_of_nodes())}
    assert everything == exact
    assert all(not m.brokerage for m in network.measures(graph, with_brokerage=False))
