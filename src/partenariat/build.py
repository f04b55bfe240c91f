"""The build: parse, validate, reason, load the embedded store, write the release files."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, Graph, URIRef

from partenariat import corpus as corpus_module
from partenariat import materialise, profile, reason, store
from partenariat.namespaces import PART, PREFIXES
from partenariat.validate import ValidationReport, validate_corpus

INFERRED_GRAPH = URIRef(materialise.INFERRED_GRAPH)
RELEASE_NAME = "partenariat"
JSONLD_CONTEXT = {"@vocab": PART, **PREFIXES}


class ValidationFailed(Exception):
    """The corpus breaks the shapes; the report says where."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"{report.violation_count} SHACL violation(s)")
        self.report = report


@dataclass
class BuildReport:
    """What a build produced: counts of triples, classes and individuals, and timings."""

    triples: int
    inferred_triples: int
    quads_in_store: int
    public_triples: int
    classes: int
    individuals: int
    individuals_by_type: dict[str, int]
    individuals_by_case: dict[str, dict[str, int]]
    files: list[str]
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def _short(graph: Graph, node: URIRef) -> str:
    """A prefixed name where one is bound."""
    try:
        return graph.namespace_manager.normalizeUri(node)
    except Exception:
        return str(node)


def count_individuals(graph: Graph) -> Counter[str]:
    """Individuals (subjects typed with a class of the project's or W3C vocabularies) by type."""
    counts: Counter[str] = Counter()
    for subject, cls in graph.subject_objects(RDF.type):
        if not isinstance(subject, URIRef) or not str(subject).startswith(reason.DATA_NAMESPACES):
            continue
        if cls in (OWL.NamedIndividual, OWL.Thing):
            continue
        counts[_short(graph, cls)] += 1
    return counts


def make_report(
    corpus: corpus_module.Corpus, union: Graph, inferred: Graph, quads: int, public: int
) -> BuildReport:
    """Count what the build holds, overall and per case file."""
    by_case: dict[str, dict[str, int]] = {}
    for path in corpus.files:
        if path.parent.name == "cases":
            counts = count_individuals(corpus.graph_of(path))
            by_case[path.stem] = dict(sorted(counts.items()))
    by_type = count_individuals(union)
    classes = {c for c in union.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    individuals = {
        s
        for s in union.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(reason.DATA_NAMESPACES)
    }
    return BuildReport(
        triples=len(union),
        inferred_triples=len(inferred),
        quads_in_store=quads,
        public_triples=public,
        classes=len(classes),
        individuals=len(individuals),
        individuals_by_type=dict(sorted(by_type.items())),
        individuals_by_case=by_case,
        files=[str(p.relative_to(corpus.root)) for p in corpus.files],
    )


def write_release(graph: Graph, report: BuildReport, folder: Path) -> None:
    """Write the public release files: Turtle, N-Triples, JSON-LD and its context, the report.

    pyoxigraph writes Turtle and N-Triples (subjects grouped by sorting), several times
    faster than rdflib; rdflib writes the JSON-LD, compacted with the project's context.
    """
    ordered = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    triples = [ox.Triple(*(store.to_oxigraph(term) for term in triple)) for triple in ordered]
    ox.serialize(triples, folder / f"{RELEASE_NAME}.ttl", ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    ox.serialize(triples, folder / f"{RELEASE_NAME}.nt", ox.RdfFormat.N_TRIPLES)
    graph.serialize(
        destination=folder / f"{RELEASE_NAME}.jsonld",
        format="json-ld",
        context=JSONLD_CONTEXT,
        encoding="utf-8",
    )
    context = {"@context": JSONLD_CONTEXT}
    (folder / f"{RELEASE_NAME}.context.jsonld").write_text(
        json.dumps(context, indent=2), encoding="utf-8"
    )
    (folder / "build-report.json").write_text(report.as_json(), encoding="utf-8")


def default_out(root: Path) -> Path:
    """The default build folder: build/ under the project root."""
    return root / "build"


def default_store(root: Path) -> Path:
    """The built store's folder: build/store under the project root."""
    return default_out(root) / store.STORE_DIRNAME


def build(
    out: Path | None = None,
    root: Path | None = None,
    inference: bool = True,
    step: Callable[[str], None] | None = None,
) -> BuildReport:
    """Run the whole build; on any failure the previous store and release stay as they were."""
    root = corpus_module.project_root() if root is None else root
    out = default_out(root) if out is None else out
    announce = step or (lambda _name: None)
    timings: dict[str, float] = {}

    def timed(name: str, func: Callable[[], object]) -> object:
        announce(name)
        start = time.perf_counter()
        result = func()
        timings[name] = round(time.perf_counter() - start, 3)
        return result

    corpus = timed("parse", lambda: corpus_module.load(root=root))
    shapes = timed("shapes", lambda: corpus_module.load_shapes(root))
    report = timed("validate", lambda: validate_corpus(corpus, shapes))
    if not report.conforms:
        raise ValidationFailed(report)
    union = corpus.union()
    # The OWL 2 RL inferences by SPARQL on Oxigraph: those of reason.owl_rl_inferences (a test
    # compares them with owlrl's), faster on the corpus and without `reasonable`'s size limit.
    inferred = timed("reason", lambda: materialise.inferences(union)) if inference else Graph()
    dataset = corpus.dataset
    if len(inferred):
        target = dataset.graph(INFERRED_GRAPH)
        for triple in inferred:
            target.add(triple)
    public = profile.public_graph(union)
    with store.staging_dir(out / "release") as release_staging:
        quads = timed("store", lambda: store.build_store(dataset, out / store.STORE_DIRNAME))
        build_report = make_report(corpus, union, inferred, quads, len(public))
        build_report.seconds = timings
        timed("release", lambda: write_release(public, build_report, release_staging))
        store.swap_in(release_staging, out / "release")
    return build_report
