"""Citable releases: ontology, graph (TriG, N-Quads), public profile, VoID and DCAT, checksums, CFF."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from partenariat import profile, store
from partenariat.api import KnowledgeGraph
from partenariat.corpus import GRAPH_BASE, model_files, parse_turtle, project_root
from partenariat.namespaces import PREFIXES

VERSION = re.compile(r"^\d+\.\d+\.\d+$")
ONTOLOGY = "https://w3id.org/partenariat/def"
RELEASE_BASE = "https://w3id.org/partenariat/release/"
OWL = "http://www.w3.org/2002/07/owl#"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


class ReleaseError(Exception):
    """The release cannot be made; the message says why."""


@dataclass(frozen=True)
class ReleaseReport:
    """What a release wrote: its folder, version, files and the dataset's statistics."""

    folder: Path
    version: str
    files: tuple[str, ...]
    triples: int
    graphs: int


def _ontology(root: Path, version: str) -> Graph:
    """The ontology and its concept schemes, with the release's version IRI and number."""
    graph = Graph()
    for path in model_files(root, ("ontology",)):
        parse_turtle(path, graph)
    ontology = URIRef(ONTOLOGY)
    graph.remove((ontology, URIRef(OWL + "versionIRI"), None))
    graph.remove((ontology, URIRef(OWL + "versionInfo"), None))
    graph.add((ontology, URIRef(OWL + "versionIRI"), URIRef(f"{ONTOLOGY}/{version}")))
    graph.add((ontology, URIRef(OWL + "versionInfo"), Literal(version)))
    for name, iri in PREFIXES.items():
        graph.bind(name, iri)
    return graph


def _with_version(quads: Iterable[ox.Quad], version: str) -> list[ox.Quad]:
    """The quads with the ontology's version IRI and number set to the release's."""
    ontology = ox.NamedNode(ONTOLOGY)
    version_iri, version_info = ox.NamedNode(OWL + "versionIRI"), ox.NamedNode(OWL + "versionInfo")
    kept = [
        q
        for q in quads
        if not (q.subject == ontology and q.predicate in (version_iri, version_info))
    ]
    graph = ox.NamedNode(GRAPH_BASE + "ontology/partenariat")
    kept.append(ox.Quad(ontology, version_iri, ox.NamedNode(f"{ONTOLOGY}/{version}"), graph))
    kept.append(ox.Quad(ontology, version_info, ox.Literal(version), graph))
    return kept


def _sha256(path: Path) -> str:
    """The SHA-256 of a file, in hexadecimal."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _description(version: str, quads: list[ox.Quad], files: dict[str, str], public: bool) -> str:
    """VoID and DCAT description of the release in Turtle: statistics, subsets, distributions."""
    dataset = f"{RELEASE_BASE}{version}"
    subjects = {q.subject for q in quads}
    properties = {q.predicate for q in quads}
    classes = {q.object for q in quads if q.predicate.value.endswith("#type")}
    graphs: dict[str, int] = {}
    for quad in quads:
        graphs[quad.graph_name.value] = graphs.get(quad.graph_name.value, 0) + 1
    today = date.today().isoformat()
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix spdx: <http://spdx.org/rdf/terms#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{dataset}> a void:Dataset , dcat:Dataset ;",
        f'    dcterms:title "partenariat {version}"@en , "partenariat {version}"@fr ;',
        '    dcterms:description "Knowledge graph of French educational-partnership policy (PRE, contrats de ville), '
        "derived from a 2017 talk and its six boxed cases"
        + (", public profile: no personal data about the recipients" if public else ", full graph")
        + '."@en ;',
        f"    dcterms:license <{LICENCE}> ;",
        f'    dcterms:issued "{today}"^^xsd:date ;',
        f'    dcat:version "{version}" ;',
        "    dcterms:source <https://w3id.org/partenariat/id/talk-2017> ;",
        f"    void:vocabulary <{ONTOLOGY}#> ;",
        f"    void:triples {len(quads)} ;",
        f"    void:entities {len(subjects)} ;",
        f"    void:properties {len(properties)} ;",
        f"    void:classes {len(classes)} ;",
        f"    void:distinctSubjects {len(subjects)} ;",
        f"    void:distinctObjects {len({q.object for q in quads})} ;",
    ]
    for graph, count in sorted(graphs.items()):
        lines.append(
            f"    void:subset [ a void:Dataset ; void:sparqlGraph <{graph}> ; void:triples {count} ] ;"
        )
    for name, digest in sorted(files.items()):
        lines.append(
            f"    dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <{dataset}/{name}> ; "
            f'dcterms:title "{name}" ; spdx:checksum [ a spdx:Checksum ; '
            f'spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "{digest}"^^xsd:hexBinary ] ] ;'
        )
    lines[-1] = lines[-1].rstrip(" ;") + " ."
    return "\n".join(lines) + "\n"


def citation(version: str) -> str:
    """A CITATION.cff (Citation File Format 1.2.0) for the project at a version."""
    return f"""cff-version: 1.2.0
message: "If you use this knowledge graph, please cite it as below, with the talk it is derived from."
title: "partenariat: an open knowledge graph of French educational-partnership policy"
version: "{version}"
date-released: "{date.today().isoformat()}"
license: CC-BY-4.0
url: "{ONTOLOGY}"
authors:
  - name: "partenariat project"
keywords: [educational partnership, Programme de Réussite Éducative, contrats de ville, knowledge graph, OWL, SKOS, SHACL]
references:
  - type: generic
    title: "Le partenariat dans le volet éducatif des contrats de ville (Programme de Réussite Éducative), support d'intervention"
    year: 2017
    notes: "Shipped as data/source/talk-2017.txt (SHA-256 03eb96ee1918d43ba599507a9888276c88a13c3d19d9d30a1caf629c3b8ccd0e); the text names neither its title nor its author."
"""


def make_release(
    version: str,
    out: Path,
    store_path: Path | None = None,
    root: Path | None = None,
    full: bool = False,
) -> ReleaseReport:
    """Write a release folder, atomically: everything is written to a staging folder first."""
    if not VERSION.match(version):
        raise ReleaseError(
            f"--version {version!r}: a release version is X.Y.Z (semantic versioning)"
        )
    root = project_root() if root is None else root
    source = KnowledgeGraph(store_path).store
    quads = _with_version(source, version)
    if not full:
        quads = profile.public_quads(quads)
    ontology = _ontology(root, version)
    files: dict[str, str] = {}
    with store.staging_dir(out) as staging:
        ontology.serialize(destination=staging / "ontology.ttl", format="turtle", encoding="utf-8")
        ontology.serialize(destination=staging / "ontology.rdf", format="xml", encoding="utf-8")
        ontology.serialize(
            destination=staging / "ontology.jsonld", format="json-ld", encoding="utf-8"
        )
        ordered = sorted(
            quads, key=lambda q: (q.graph_name.value, str(q.subject), str(q.predicate))
        )
        ox.serialize(ordered, staging / "partenariat.trig", ox.RdfFormat.TRIG, prefixes=PREFIXES)
        ox.serialize(ordered, staging / "partenariat.nq", ox.RdfFormat.N_QUADS)
        public_name = "partenariat-public.nt" if not full else "partenariat-full.nt"
        triples = sorted({q.triple for q in ordered}, key=str)
        ox.serialize(triples, staging / public_name, ox.RdfFormat.N_TRIPLES)
        (staging / "CITATION.cff").write_text(citation(version), encoding="utf-8")
        for path in sorted(staging.iterdir()):
            files[path.name] = _sha256(path)
        (staging / "void.ttl").write_text(
            _description(version, quads, files, not full), encoding="utf-8"
        )
        files["void.ttl"] = _sha256(staging / "void.ttl")
        (staging / "SHA256SUMS").write_text(
            "".join(f"{digest}  {name}\n" for name, digest in sorted(files.items())),
            encoding="utf-8",
        )
        store.swap_in(staging, out)
    graphs = {q.graph_name for q in quads}
    return ReleaseReport(
        out, version, tuple(sorted([*files, "SHA256SUMS"])), len(quads), len(graphs)
    )
