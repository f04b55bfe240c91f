"""Partnership networks: the actor–scheme two-mode network, projections, measures, exports."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

AFFILIATIONS_QUERY = "network-affiliations"
MODES = ("two-mode", "actors", "schemes")
BROKERAGE_ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


class NetworkError(Exception):
    """The network cannot be built or written; the message says why."""


@dataclass(frozen=True)
class Affiliation:
    """One participation: an actor in a scheme, with its role, case and period."""

    actor: str
    actor_label: str
    actor_class: str
    actor_type: str | None
    actor_type_label: str | None
    scheme: str
    scheme_label: str
    role: str
    role_label: str | None
    case: int | None
    start: str | None = None
    end: str | None = None
    school_year: str | None = None
    participation: str | None = None


def affiliations_from_rows(rows: Iterable[dict[str, Any]]) -> list[Affiliation]:
    """Turn the rows of the affiliation query into Affiliation records."""
    return [
        Affiliation(
            actor=row["actor"],
            actor_label=row["actorLabel"] or _local(row["actor"]),
            actor_class=_local(row["actorClass"]),
            actor_type=row["actorType"],
            actor_type_label=row["actorTypeLabel"],
            scheme=row["scheme"],
            scheme_label=row["schemeLabel"] or _local(row["scheme"]),
            role=row["role"],
            role_label=row["roleLabel"],
            case=row["caseNumber"],
            start=row["start"],
            end=row["end"],
            school_year=row["schoolYear"],
            participation=row.get("participation"),
        )
        for row in rows
    ]


def _local(iri: str) -> str:
    """The last segment of an IRI (after # or /)."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _cases(values: Iterable[int | None]) -> str:
    """Case numbers as a sorted, comma-separated string (GEXF and GraphML want scalars)."""
    return ",".join(str(n) for n in sorted({v for v in values if v is not None}))


def two_mode(affiliations: Iterable[Affiliation]) -> nx.Graph:
    """The actor–scheme affiliation network: actors in part 0, schemes in part 1.

    Edge attributes: roles (comma-separated), cases, weight (number of participations: the
    distinct participation IRIs, or the records when they have none; an actor of two
    organisation types, or a participation evidenced in two cases, comes in several records).

    >>> a = Affiliation("A", "a", "Organisation", "pc:caf", "CAF", "S", "s", "r", "pilote", 1)
    >>> g = two_mode([a])
    >>> sorted(g.nodes(data="bipartite")), g.edges["A", "S"]["weight"]
    ([('A', 0), ('S', 1)], 1)
    """
    nodes: dict[str, dict[str, Any]] = {}
    actor_types: dict[str, set[str]] = defaultdict(set)
    edge_roles: dict[tuple[str, str], list[str]] = defaultdict(list)
    edge_participations: dict[tuple[str, str], set[str | int]] = defaultdict(set)
    edge_cases: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    node_cases: dict[str, set[int]] = defaultdict(set)
    for item in affiliations:
        if item.actor not in nodes:
            nodes[item.actor] = {"bipartite": 0, "kind": "actor", "label": item.actor_label, "type": item.actor_class}
        if item.scheme not in nodes:
            nodes[item.scheme] = {"bipartite": 1, "kind": "scheme", "label": item.scheme_label, "type": "Scheme"}
        if item.actor_type_label:
            actor_types[item.actor].add(item.actor_type_label)
        key = (item.actor, item.scheme)
        edge_roles[key].append(item.role_label or _local(item.role))
        edge_participations[key].add(item.participation or len(edge_participations[key]))
        edge_cases[key].append(item.case)
        if item.case is not None:
            node_cases[item.actor].add(item.case)
            node_cases[item.scheme].add(item.case)
    for node, attributes in nodes.items():
        labels = actor_types.get(node)
        attributes["organisation_type"] = min(labels) if labels else ""
        attributes["cases"] = _cases(node_cases.get(node, ()))
    graph = nx.Graph()
    graph.add_nodes_from(nodes.items())
    graph.add_edges_from(
        (
            actor,
            scheme,
            {
                "weight": len(edge_participations[(actor, scheme)]),
                "roles": ", ".join(sorted(set(roles))),
                "cases": _cases(edge_cases[(actor, scheme)]),
            },
        )
        for (actor, scheme), roles in edge_roles.items()
    )
    return graph


def _projection(graph: nx.Graph, keep: str, through: str) -> nx.Graph:
    """The one-mode projection on the `keep` nodes: two linked when they share `through`
    nodes, weight how many (as networkx's weighted_projected_graph, in one pass)."""
    pairs: Counter[tuple[str, str]] = Counter()
    order = {node: index for index, node in enumerate(graph)}
    for hub in _part(graph, through):
        members = sorted(graph[hub], key=order.__getitem__)
        pairs.update(combinations(members, 2))
    projected = nx.Graph()
    projected.add_nodes_from((n, graph.nodes[n]) for n in _part(graph, keep))
    projected.add_edges_from((a, b, {"weight": w}) for (a, b), w in pairs.items())
    return projected


def _part(graph: nx.Graph, kind: str) -> list[str]:
    """The nodes of one part of the two-mode network."""
    return [n for n, k in graph.nodes(data="kind") if k == kind]


def actor_projection(graph: nx.Graph, by: str = "schemes") -> nx.Graph:
    """Actors linked by shared schemes (weight: how many) or by shared cases.

    >>> items = [Affiliation(a, a, "Organisation", None, None, s, s, "r", None, c)
    ...          for a, s, c in [("A", "S", 1), ("B", "S", 1), ("B", "T", 2), ("C", "T", 2)]]
    >>> p = actor_projection(two_mode(items))
    >>> sorted((u, v, d["weight"]) for u, v, d in p.edges(data=True))
    [('A', 'B', 1), ('B', 'C', 1)]
    """
    actors = _part(graph, "actor")
    if by == "schemes":
        projected = _projection(graph, "actor", "scheme")
    elif by == "cases":
        projected = nx.Graph()
        projected.add_nodes_from((n, graph.nodes[n]) for n in actors)
        cases = {n: set(filter(None, graph.nodes[n]["cases"].split(","))) for n in actors}
        for a, b in combinations(actors, 2):
            shared = cases[a] & cases[b]
            if shared:
                projected.add_edge(a, b, weight=len(shared), cases=",".join(sorted(shared)))
    else:
        raise NetworkError(f"unknown projection basis {by!r}: schemes or cases")
    for node in projected:
        projected.nodes[node].update(graph.nodes[node])
    return projected


def scheme_projection(graph: nx.Graph) -> nx.Graph:
    """Schemes linked by shared partners (weight: how many)."""
    return _projection(graph, "scheme", "actor")


def network(affiliations: Iterable[Affiliation], mode: str = "two-mode") -> nx.Graph:
    """The network of a mode: two-mode, actors (projection by shared schemes) or schemes."""
    graph = two_mode(affiliations)
    if mode == "two-mode":
        return graph
    if mode == "actors":
        return actor_projection(graph)
    if mode == "schemes":
        return scheme_projection(graph)
    raise NetworkError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")


def brokerage(graph: nx.Graph, group: str = "organisation_type") -> dict[str, Counter[str]]:
    """Gould and Fernandez brokerage roles of each node of an undirected one-mode network.

    For every ego and every pair of its neighbours a, c that are not tied, the path
    a → ego → c is classed by the groups of a, ego and c: coordinator (all one group),
    itinerant (a and c in one group, ego in another), gatekeeper (ego in c's group
    only), representative (ego in a's group only), liaison (three groups). As ties are
    undirected, each pair is counted in both directions, so gatekeeper and
    representative counts are equal and every count is even. Nodes without a group
    value form a group of their own each.

    >>> g = nx.Graph([("a", "e"), ("e", "c")])
    >>> nx.set_node_attributes(g, {"a": "X", "e": "Y", "c": "X"}, "organisation_type")
    >>> dict(brokerage(g)["e"])
    {'itinerant': 2}
    """
    groups = {n: (graph.nodes[n].get(group) or f"_{n}") for n in graph}
    roles: dict[str, Counter[str]] = {n: Counter() for n in graph}
    for ego in graph:
        neighbours = list(graph[ego])
        for a, c in combinations(neighbours, 2):
            if graph.has_edge(a, c):
                continue
            for source, target in ((a, c), (c, a)):
                ga, ge, gc = groups[source], groups[ego], groups[target]
                if ga == ge == gc:
                    role = "coordinator"
                elif ga == gc:
                    role = "itinerant"
                elif ge == gc:
                    role = "gatekeeper"
                elif ge == ga:
                    role = "representative"
                else:
                    role = "liaison"
                roles[ego][role] += 1
    return roles


@dataclass(frozen=True)
class NodeMeasures:
    """The measures of one node: degree, weighted degree, betweenness, component, brokerage."""

    node: str
    label: str
    kind: str
    organisation_type: str
    cases: str
    degree: int
    weighted_degree: float
    betweenness: float
    component: int
    brokerage: dict[str, int]


def measures(
    graph: nx.Graph, sample: int | None = None, with_brokerage: bool = True, seed: int = 1
) -> list[NodeMeasures]:
    """Degree, weighted degree, betweenness (normalised), component and brokerage.

    Betweenness is exact (Brandes) unless `sample` is given: then it is estimated from
    that many source nodes drawn with `seed` (networkx's `k` sampling, Brandes and
    Pich 2007), which large networks need. Brokerage roles need a one-mode network (a
    projection): they are left empty on the two-mode network, or when `with_brokerage`
    is false.
    """
    if sample is not None and sample < graph.number_of_nodes():
        betweenness = nx.betweenness_centrality(graph, k=sample, normalized=True, seed=seed)
    else:
        betweenness = nx.betweenness_centrality(graph, normalized=True)
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    component_of = {n: i + 1 for i, nodes in enumerate(components) for n in nodes}
    kinds = {kind for _node, kind in graph.nodes(data="kind")}
    roles = {} if {"actor", "scheme"} <= kinds or not with_brokerage else brokerage(graph)
    rows = [
        NodeMeasures(
            node=n,
            label=data.get("label", n),
            kind=data.get("kind", ""),
            organisation_type=data.get("organisation_type", ""),
            cases=data.get("cases", ""),
            degree=graph.degree(n),
            weighted_degree=float(graph.degree(n, weight="weight")),
            betweenness=round(betweenness[n], 6),
            component=component_of[n],
            brokerage=dict(roles.get(n, {})),
        )
        for n, data in graph.nodes(data=True)
    ]
    rows.sort(key=lambda m: (-m.betweenness, -m.degree, m.label))
    return rows


def ego_network(graph: nx.Graph, node: str, radius: int = 1) -> nx.Graph:
    """The ego network of a node: the node, its neighbours within radius, and their ties."""
    if node not in graph:
        raise NetworkError(f"{node}: not a node of the network")
    return nx.ego_graph(graph, node, radius=radius)


def bridges_between_cases(graph: nx.Graph) -> list[tuple[str, str, list[str]]]:
    """Nodes of the two-mode network whose participations lie in two or more cases."""
    found = []
    for node, data in graph.nodes(data=True):
        cases = [c for c in data.get("cases", "").split(",") if c]
        if len(cases) >= 2:
            found.append((node, data.get("label", node), cases))
    return sorted(found, key=lambda item: (-len(item[2]), item[1]))


FORMATS = ("gexf", "graphml", "json", "png", "svg")


def write(graph: nx.Graph, path: Path, fmt: str) -> None:
    """Write the network to path in a format, through a temporary file renamed into place."""
    if fmt not in FORMATS:
        raise NetworkError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "gexf":
            nx.write_gexf(graph, partial)
        elif fmt == "graphml":
            nx.write_graphml(graph, partial)
        elif fmt == "json":
            partial.write_text(
                json.dumps(nx.node_link_data(graph, edges="links"), ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
        else:
            draw(graph, partial, fmt)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def draw(graph: nx.Graph, path: Path, fmt: str) -> None:
    """A readable picture: labels, colour by organisation type, size by degree."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = sorted({graph.nodes[n].get("organisation_type") or "—" for n in graph})
    palette = plt.get_cmap("tab20")
    colour = {t: palette(i % 20) for i, t in enumerate(types)}
    figure, axis = plt.subplots(figsize=(18, 13), dpi=100)
    position = component_layout(graph)
    schemes = [n for n in graph if graph.nodes[n].get("kind") == "scheme"]
    others = [n for n in graph if n not in set(schemes)]
    size = {n: 120 + 90 * graph.degree(n) for n in graph}
    nx.draw_networkx_edges(graph, position, ax=axis, alpha=0.35, width=0.8)
    nx.draw_networkx_nodes(
        graph, position, nodelist=others, ax=axis, node_shape="o",
        node_size=[size[n] for n in others],
        node_color=[colour[graph.nodes[n].get("organisation_type") or "—"] for n in others],
    )
    if schemes:
        nx.draw_networkx_nodes(
            graph, position, nodelist=schemes, ax=axis, node_shape="s",
            node_size=[size[n] for n in schemes], node_color="#dddddd", edgecolors="#555555",
        )
    labels = {n: _shorten(graph.nodes[n].get("label", n)) for n in graph}
    nx.draw_networkx_labels(graph, position, labels=labels, ax=axis, font_size=7)
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=colour[t], label=t) for t in types if t != "—"
    ]
    if schemes:
        handles.append(plt.Line2D([], [], marker="s", linestyle="", color="#dddddd", label="dispositif"))
    axis.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    axis.set_axis_off()
    figure.tight_layout()
    figure.savefig(path, format=fmt)
    plt.close(figure)


def component_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """A spring layout per connected component, the components placed on a grid, largest first."""
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    columns = max(1, math.ceil(math.sqrt(len(components))))
    position: dict[str, tuple[float, float]] = {}
    for index, nodes in enumerate(components):
        sub = graph.subgraph(nodes)
        local = nx.spring_layout(sub, seed=7, k=1.5 / max(1, len(sub)) ** 0.5, iterations=200)
        row, column = divmod(index, columns)
        for node, (x, y) in local.items():
            position[node] = (column * 2.6 + x, -row * 2.6 + y)
    return position


def _shorten(label: str, width: int = 38) -> str:
    """A label cut to width characters for pictures."""
    return label if len(label) <= width else label[: width - 1] + "…"
