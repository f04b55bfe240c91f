"""SHACL validation with pySHACL, and its report grouped by focus node."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from partenariat.corpus import Corpus, Location

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the shape, the property path, the value at fault and the messages."""

    shape: str
    path: str | None
    value: str | None
    severity: str
    messages: dict[str, str]

    def message(self, lang: str = "fr") -> str:
        """The message in the wanted language, falling back to any other."""
        if lang in self.messages:
            return self.messages[lang]
        return next(iter(self.messages.values()), "constraint violated")


@dataclass
class FocusReport:
    """The violations of one focus node, with where the node is defined when known."""

    focus: str
    location: str | None
    violations: list[Violation] = field(default_factory=list)


@dataclass
class ValidationReport:
    """The outcome of validating a corpus against the shapes."""

    conforms: bool
    focus_nodes: list[FocusReport]
    graph: Graph

    @property
    def violation_count(self) -> int:
        """How many results the report holds, over all focus nodes."""
        return sum(len(node.violations) for node in self.focus_nodes)

    def as_text(self, lang: str = "fr") -> str:
        """A readable report: one block per focus node, one line per violation."""
        if self.conforms:
            return "conforms: no violation" if lang == "en" else "conforme : aucune violation"
        lines: list[str] = []
        for node in self.focus_nodes:
            where = f" ({node.location})" if node.location else ""
            lines.append(f"{node.focus}{where}")
            for violation in node.violations:
                path = f" [{violation.path}]" if violation.path else ""
                value = f" value: {violation.value}" if violation.value else ""
                lines.append(f"  - {violation.severity}{path}: {violation.message(lang)}{value}")
        count = self.violation_count
        lines.append(
            f"{count} violation(s) on {len(self.focus_nodes)} node(s)"
            if lang == "en"
            else f"{count} violation(s) sur {len(self.focus_nodes)} nœud(s)"
        )
        return "\n".join(lines)

    def as_json(self) -> str:
        """The report as JSON: conforms, and the violations grouped by focus node."""
        payload = {
            "conforms": self.conforms,
            "violations": self.violation_count,
            "focus_nodes": [asdict(node) for node in self.focus_nodes],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)

    def as_turtle(self) -> str:
        """The SHACL validation report graph, in Turtle."""
        return self.graph.serialize(format="turtle")


def _short(graph: Graph, node: Node | None) -> str | None:
    """A node as a prefixed name where a prefix is bound, else as N-Triples."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager)
    return str(node)


def message_languages(shapes: Graph) -> dict[str, str]:
    """The language of each sh:message text of the shapes, to recover tags pySHACL drops.

    pySHACL re-creates the messages of SPARQL-based constraints without their language.
    """
    return {
        str(message): message.language
        for message in shapes.objects(None, SH.message)
        if isinstance(message, Literal) and message.language
    }


def summarise(
    results: Graph,
    data: Graph,
    locations: dict[URIRef, Location],
    languages: dict[str, str] | None = None,
) -> list[FocusReport]:
    """Group the results of a SHACL report graph by focus node, sorted by file and line."""
    languages = languages or {}
    grouped: dict[Node, list[Violation]] = defaultdict(list)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        messages = {
            (message.language or languages.get(str(message), "und")): str(message)
            for message in results.objects(result, SH.resultMessage)
            if isinstance(message, Literal)
        }
        severity = results.value(result, SH.resultSeverity)
        grouped[focus].append(
            Violation(
                shape=_short(data, results.value(result, SH.sourceShape)) or "",
                path=_short(data, results.value(result, SH.resultPath)),
                value=_short(data, results.value(result, SH.value)),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                messages=messages,
            )
        )
    reports = []
    for focus, violations in grouped.items():
        location = locations.get(focus) if isinstance(focus, URIRef) else None
        violations.sort(key=lambda v: (v.path or "", v.message("en")))
        reports.append(
            FocusReport(
                focus=_short(data, focus) or "?",
                location=str(location) if location else None,
                violations=violations,
            )
        )
    reports.sort(key=lambda r: (r.location is None, r.location or "", r.focus))
    return reports


def validate_graph(
    data: Graph, shapes: Graph, locations: dict[URIRef, Location] | None = None
) -> ValidationReport:
    """Validate a graph (ontology included, for the class hierarchy) against the shapes."""
    conforms, results, _text = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    for prefix, namespace in data.namespaces():
        results.bind(prefix, namespace, override=False)
    return ValidationReport(
        conforms=bool(conforms),
        focus_nodes=summarise(results, data, locations or {}, message_languages(shapes)),
        graph=results,
    )


def validate_corpus(corpus: Corpus, shapes: Graph) -> ValidationReport:
    """Validate every file of a corpus together against the shapes."""
    return validate_graph(corpus.union(), shapes, corpus.locations)
