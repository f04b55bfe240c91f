"""Find and parse the model files, keeping file and line for error messages."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

BASE = "https://w3id.org/partenariat/"
GRAPH_BASE = BASE + "graph/"
ONTOLOGY_DIRS = ("ontology",)
DATA_DIRS = ("data",)
SHAPES_DIR = "shapes"


class CorpusError(Exception):
    """A model file cannot be read; the message names the file, line and column."""


@dataclass(frozen=True)
class Location:
    """Where a node is defined: a file and a 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Corpus:
    """The parsed model files: one named graph per file, and where each subject is defined."""

    root: Path
    dataset: Dataset
    files: list[Path]
    locations: dict[URIRef, Location] = field(default_factory=dict)
    _union: Graph | None = field(default=None, repr=False, compare=False)

    def union(self) -> Graph:
        """All the triples of every file in one rdflib Graph (computed once, then shared)."""
        if self._union is not None:
            return self._union
        graph = Graph()
        for prefix, namespace in self.dataset.namespaces():
            graph.bind(prefix, namespace)
        for context in self.dataset.graphs():
            for triple in context:
                graph.add(triple)
        self._union = graph
        return graph

    def graph_of(self, path: Path) -> Graph:
        """The named graph holding one file's triples."""
        return self.dataset.graph(graph_iri(path, self.root))


def project_root() -> Path:
    """The folder holding ontology/, shapes/ and data/: $PARTENARIAT_ROOT, the checkout, or cwd."""
    env = os.environ.get("PARTENARIAT_ROOT")
    if env:
        return Path(env).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "ontology").is_dir() and (checkout / "data").is_dir():
        return checkout
    return Path.cwd()


def graph_iri(path: Path, root: Path) -> URIRef:
    """The named-graph IRI of a model file: its path under the root, without extension.

    >>> graph_iri(Path("/p/data/cases/encadre-1-angouleme.ttl"), Path("/p"))
    rdflib.term.URIRef('https://w3id.org/partenariat/graph/data/cases/encadre-1-angouleme')
    """
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path("external") / path.name
    return URIRef(GRAPH_BASE + relative.with_suffix("").as_posix())


def model_files(root: Path, dirs: Iterable[str] = ONTOLOGY_DIRS + DATA_DIRS) -> list[Path]:
    """Every Turtle file under the given folders of the root, in a stable order."""
    files: list[Path] = []
    for name in dirs:
        folder = root / name
        if folder.is_dir():
            files.extend(sorted(folder.rglob("*.ttl")))
    return files


def shape_files(root: Path) -> list[Path]:
    """The SHACL files under shapes/."""
    return model_files(root, (SHAPES_DIR,))


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file, raising CorpusError with file, line and column on bad syntax."""
    graph = Graph() if graph is None else graph
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CorpusError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from error
    except OSError as error:
        raise CorpusError(f"{path}: cannot be read ({error.strerror})") from error
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as error:
        raise CorpusError(_bad_syntax_message(path, error)) from error
    except Exception as error:  # rdflib raises bare exceptions for some lexical errors
        raise CorpusError(f"{path}: invalid Turtle: {error}") from error
    return graph


def _bad_syntax_message(path: Path, error: BadSyntax) -> str:
    """One line: file:line:column: what the parser expected."""
    raw: bytes | str = error._str
    index: int = error._i
    newline = b"\n" if isinstance(raw, bytes) else "\n"
    column = index - raw.rfind(newline, 0, index)
    return f"{path}:{error.lines + 1}:{column}: Turtle syntax error: {error._why}"


_SUBJECT = re.compile(r"^(<[^>\s]+>|[A-Za-z][\w.-]*:[\w.%-]*)\s")


def subject_lines(path: Path, graph: Graph) -> dict[URIRef, int]:
    """The line where each subject written at the start of a line first appears."""
    found: dict[URIRef, int] = {}
    manager = graph.namespace_manager
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _SUBJECT.match(line)
        if not match or line.startswith("@"):
            continue
        token = match.group(1)
        try:
            iri = URIRef(token[1:-1]) if token.startswith("<") else manager.expand_curie(token)
        except ValueError:
            continue
        found.setdefault(iri, number)
    return found


def load(paths: Sequence[Path] | None = None, root: Path | None = None) -> Corpus:
    """Parse the given files (default: ontology/ and data/ of the root) into a Corpus."""
    root = project_root() if root is None else root
    files = list(paths) if paths else model_files(root)
    if not files:
        raise CorpusError(f"{root}: no Turtle file under ontology/ or data/")
    dataset = Dataset()
    locations: dict[URIRef, Location] = {}
    for path in files:
        graph = dataset.graph(graph_iri(path, root))
        parse_turtle(path, graph)
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace, override=False)
        for iri, line in subject_lines(path, graph).items():
            locations.setdefault(iri, Location(path, line))
    return Corpus(root=root, dataset=dataset, files=files, locations=locations)


def load_shapes(root: Path | None = None) -> Graph:
    """All SHACL shapes of the project in one graph."""
    root = project_root() if root is None else root
    graph = Graph()
    files = shape_files(root)
    if not files:
        raise CorpusError(f"{root / SHAPES_DIR}: no SHACL file")
    for path in files:
        parse_turtle(path, graph)
    return graph
