"""SHACL validation compiled to SPARQL on the Oxigraph store, with the results pySHACL reports."""

from __future__ import annotations

import itertools
import logging
import math
import re
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable, XSDToPython

from partenariat.corpus import Corpus, Location
from partenariat.store import quads, to_oxigraph, to_rdflib
from partenariat.validate import SH, ValidationReport, summarise

__all__ = [
    "DeltaReport",
    "ShaclSparqlValidator",
    "UnsupportedShapeError",
    "memory_store",
    "validate_corpus",
    "validate_delta",
    "validate_store",
]

CHECK = ox.NamedNode("urn:x-partenariat:shacl-check")
"""The custom SPARQL function that settles, in Python, the rare values pySHACL judges in Python."""

RDF_TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"
XSD_STRING = f"<{XSD.string}>"
NUMERIC = (XSD.integer, XSD.decimal, XSD.float, XSD.double)
ALLOWED_SEVERITIES = (SH.Warning, SH.Info)
MAX_PAIRWISE = 6  # the largest count a nested shape may check (with distinct-value patterns)

# Lexical forms that rdflib certainly parses to a value of the right Python type, so that
# pySHACL's sh:datatype passes; other lexical forms are sent to Python (CHECK).
SAFE_LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.date: r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    XSD.boolean: r"^(true|false|1|0)$",
}

VALUE_COMPONENTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
}
FOCUS_COMPONENTS: dict[URIRef, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
}
RANGE_OPERATORS = {
    SH.minInclusive: ">=",
    SH.minExclusive: ">",
    SH.maxInclusive: "<=",
    SH.maxExclusive: "<",
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Shape predicates that carry no constraint of their own (or are read with another one).
PASSIVE = {
    SH.path,
    *TARGETS,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.flags,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.ignoredProperties,
}
NOT_SUPPORTED = {
    SH.equals: "sh:equals",
    SH.disjoint: "sh:disjoint",
    SH.lessThan: "sh:lessThan",
    SH.lessThanOrEquals: "sh:lessThanOrEquals",
    SH.target: "sh:target (SHACL-AF targets)",
    SH.rule: "sh:rule (SHACL-AF rules)",
    SH.expression: "sh:expression (SHACL-AF)",
    SH.js: "sh:js",
    SH.jsFunctionName: "sh:jsFunctionName",
}


_SH_RESULT, _SH_FOCUS, _SH_SHAPE = SH.ValidationResult, SH.focusNode, SH.sourceShape
_SH_COMPONENT, _SH_SEVERITY, _SH_VALUE = SH.sourceConstraintComponent, SH.resultSeverity, SH.value
_SH_PATH, _SH_CONSTRAINT, _SH_MESSAGE = SH.resultPath, SH.sourceConstraint, SH.resultMessage
_SH_DETAIL = SH.detail


class UnsupportedShapeError(ValueError):
    """A shape uses a construct the SPARQL compiler does not translate; the message names it."""


# -- the shapes, as read from the shapes graph -------------------------------------------------


@dataclass(eq=False)
class Constraint:
    """One constraint of a shape: the parameter, its value, the component it reports."""

    parameter: URIRef
    value: Node
    component: URIRef
    kind: str  # "value", "focus", "unique", "property", "sparql", "qualified-min", "qualified-max"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Shape:
    """A node or property shape with its targets and constraints."""

    node: Node
    name: str
    path: Node | None
    sparql_path: str | None
    path_length: float
    path_reads: frozenset[tuple[URIRef, bool]]
    severity: URIRef
    messages: tuple[Literal, ...]
    deactivated: bool
    target_nodes: tuple[Node, ...]
    target_classes: tuple[Node, ...]
    target_subjects_of: tuple[URIRef, ...]
    target_objects_of: tuple[URIRef, ...]
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        """A property shape (one with sh:path)."""
        return self.path is not None

    @property
    def has_targets(self) -> bool:
        """Whether the shape selects focus nodes of its own."""
        return bool(
            self.target_nodes
            or self.target_classes
            or self.target_subjects_of
            or self.target_objects_of
        )


def _items(graph: Graph, node: Node, where: str) -> list[Node]:
    """The members of an RDF list, with an error naming where a broken list was found."""
    try:
        return list(graph.items(node))
    except Exception as error:  # rdflib raises assorted errors on malformed lists
        raise UnsupportedShapeError(f"{where}: malformed RDF list ({error})") from error


class ShapesModel:
    """Every shape of a shapes graph, parsed and checked for constructs the compiler handles."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.shapes: dict[Node, Shape] = {}
        self._custom = self._custom_parameters()
        nodes = self._shape_nodes()
        self._nodes = set(nodes)
        for node in nodes:
            self.shapes[node] = self._parse(node)
        self.top = [s for s in self.shapes.values() if s.has_targets and not s.deactivated]

    # discovery, as pySHACL finds shapes
    def _shape_nodes(self) -> list[Node]:
        g = self.graph
        found: set[Node] = set(g.subjects(RDF.type, SH.NodeShape))
        found |= set(g.subjects(RDF.type, SH.PropertyShape))
        for predicate in (*TARGETS, SH.property, SH.node):
            found |= {s for s, _o in g.subject_objects(predicate)}
        for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
            found |= {o for _s, o in g.subject_objects(predicate)}
        for predicate in (SH["and"], SH["or"], SH.xone):
            for subject, lst in g.subject_objects(predicate):
                found |= set(_items(g, lst, self.describe(subject)))
        return sorted((n for n in found if isinstance(n, URIRef | BNode)), key=_order)

    def _custom_parameters(self) -> dict[URIRef, Node]:
        g = self.graph
        components = set(g.subjects(RDF.type, SH.ConstraintComponent))
        for sub in set(g.subjects(RDFS.subClassOf, SH.ConstraintComponent)):
            components |= set(g.subjects(RDF.type, sub))
        params: dict[URIRef, Node] = {}
        for component in components:
            if str(component).startswith(str(SH)):
                continue
            for parameter in g.objects(component, SH.parameter):
                for path in g.objects(parameter, SH.path):
                    if isinstance(path, URIRef):
                        params[path] = component
        return params

    def describe(self, node: Node) -> str:
        """A shape's name for messages: its prefixed IRI, or where a blank node shape sits."""
        g = self.graph
        if isinstance(node, URIRef):
            return _qname(g, node)
        path = g.value(node, SH.path)
        what = "property shape" if path is not None else "blank node shape"
        if isinstance(path, URIRef):
            what += f" (sh:path {_qname(g, path)})"
        owner = self._owner(node, set())
        return f"{what} of {owner}" if owner else what

    def _owner(self, node: Node, seen: set[Node]) -> str | None:
        if isinstance(node, URIRef):
            return _qname(self.graph, node)
        if node in seen:
            return None
        seen.add(node)
        for parent in self.graph.subjects(None, node):
            found = self._owner(parent, seen)
            if found:
                return found
        return None

    def shape(self, node: Node, where: str) -> None:
        """Check that a shape-expecting parameter points to a shape."""
        if node not in self._nodes:
            raise UnsupportedShapeError(f"{where}: {node} is not a shape")

    def _parse(self, node: Node) -> Shape:
        g = self.graph
        name = self.describe(node)
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise UnsupportedShapeError(f"{name}: more than one sh:path")
        path = paths[0] if paths else None
        sparql_path, length, reads = (
            self._path(path, name) if path is not None else (None, 0.0, frozenset())
        )
        severity = next(iter(g.objects(node, SH.severity)), SH.Violation)
        deactivated = any(
            isinstance(d, Literal) and bool(d.value) for d in g.objects(node, SH.deactivated)
        )
        implicit = self._implicit_class(node)
        shape = Shape(
            node=node,
            name=name,
            path=path,
            sparql_path=sparql_path,
            path_length=length,
            path_reads=reads,
            severity=severity,  # type: ignore[arg-type]
            messages=_literals(g.objects(node, SH.message)),
            deactivated=deactivated,
            target_nodes=tuple(sorted(g.objects(node, SH.targetNode), key=_order)),
            target_classes=tuple(sorted({*g.objects(node, SH.targetClass), *implicit}, key=_order)),
            target_subjects_of=tuple(sorted(g.objects(node, SH.targetSubjectsOf), key=_order)),  # type: ignore[arg-type]
            target_objects_of=tuple(sorted(g.objects(node, SH.targetObjectsOf), key=_order)),  # type: ignore[arg-type]
        )
        for predicate, value in sorted(
            g.predicate_objects(node), key=lambda po: (_order(po[0]), _order(po[1]))
        ):
            self._constraint(shape, predicate, value)
        return shape

    def _implicit_class(self, node: Node) -> list[Node]:
        g = self.graph
        classes = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        return [node] if any(t in classes for t in g.objects(node, RDF.type)) else []

    def _constraint(self, shape: Shape, predicate: Node, value: Node) -> None:
        g, name = self.graph, shape.name
        if predicate in self._custom:
            component = _qname(g, self._custom[predicate])  # type: ignore[arg-type]
            raise UnsupportedShapeError(
                f"{name}: the custom constraint component {component} is not supported"
            )
        if not isinstance(predicate, URIRef) or not predicate.startswith(str(SH)):
            return
        if predicate in PASSIVE:
            return
        if predicate in NOT_SUPPORTED:
            raise UnsupportedShapeError(f"{name}: {NOT_SUPPORTED[predicate]} is not supported")
        add = shape.constraints.append
        if predicate == SH.closed:
            if isinstance(value, Literal) and value.value is True:
                raise UnsupportedShapeError(f"{name}: sh:closed is not supported")
            return
        if predicate in VALUE_COMPONENTS:
            self._check_value_parameter(shape, predicate, value)
            add(Constraint(predicate, value, VALUE_COMPONENTS[predicate], "value"))
        elif predicate in FOCUS_COMPONENTS:
            if predicate != SH.hasValue:
                if not shape.is_property:
                    raise UnsupportedShapeError(f"{name}: {_qname(g, predicate)} on a node shape")
                if len(set(g.objects(shape.node, predicate))) > 1:
                    raise UnsupportedShapeError(f"{name}: more than one {_qname(g, predicate)}")
                if not (isinstance(value, Literal) and value.datatype == XSD.integer):
                    raise UnsupportedShapeError(
                        f"{name}: {_qname(g, predicate)} is not an xsd:integer"
                    )
                if predicate == SH.minCount and int(value) == 0:
                    return
            add(Constraint(predicate, value, FOCUS_COMPONENTS[predicate], "focus"))
        elif predicate == SH.uniqueLang:
            if not shape.is_property:
                raise UnsupportedShapeError(f"{name}: sh:uniqueLang on a node shape")
            if isinstance(value, Literal) and value.value is True:
                add(Constraint(predicate, value, SH.UniqueLangConstraintComponent, "unique"))
        elif predicate == SH.property:
            self.shape(value, name)
            if (value, SH.path, None) not in g:
                raise UnsupportedShapeError(f"{name}: sh:property points to a node shape")
            add(Constraint(predicate, value, SH.PropertyConstraintComponent, "property"))
        elif predicate == SH.qualifiedValueShape:
            self._qualified(shape, value)
        elif predicate == SH.sparql:
            add(self._sparql(shape, value))
        else:
            raise UnsupportedShapeError(f"{name}: {_qname(g, predicate)} is not supported")

    def _check_value_parameter(self, shape: Shape, predicate: URIRef, value: Node) -> None:
        g, name = self.graph, shape.name
        label = _qname(g, predicate)
        single = (SH.datatype, SH.nodeKind, SH.minLength, SH.maxLength, SH.languageIn, SH["in"])
        if predicate in single and len(set(g.objects(shape.node, predicate))) > 1:
            raise UnsupportedShapeError(f"{name}: more than one {label}")
        if predicate in (SH.minLength, SH.maxLength) and not (
            isinstance(value, Literal) and isinstance(value.value, int) and value.value >= 0
        ):
            raise UnsupportedShapeError(f"{name}: {label} is not a non-negative integer")
        if predicate == SH.pattern and not isinstance(value, Literal):
            raise UnsupportedShapeError(f"{name}: sh:pattern is not a literal")
        if predicate in RANGE_OPERATORS and not isinstance(value, Literal):
            raise UnsupportedShapeError(f"{name}: {label} is not a literal")
        if predicate == SH.languageIn:
            for item in _items(g, value, name):
                if not (isinstance(item, Literal) and isinstance(item.value, str)):
                    raise UnsupportedShapeError(f"{name}: sh:languageIn holds a non-string")
        if predicate == SH["in"]:
            _items(g, value, name)
        if predicate in (SH.node, SH["not"]):
            self.shape(value, name)
        if predicate in (SH["and"], SH["or"], SH.xone):
            members = _items(g, value, name)
            if not members:
                raise UnsupportedShapeError(f"{name}: empty {label} list")
            for member in members:
                self.shape(member, name)

    def _qualified(self, shape: Shape, value: Node) -> None:
        g, name = self.graph, shape.name
        if not shape.is_property:
            warnings.warn(
                f"{name}: sh:qualifiedValueShape on a node shape is ignored, as pySHACL does",
                stacklevel=2,
            )
            return
        self.shape(value, name)
        counts = {}
        for predicate in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            values = list(g.objects(shape.node, predicate))
            if len(values) > 1:
                raise UnsupportedShapeError(f"{name}: more than one {_qname(g, predicate)}")
            if values:
                if not (isinstance(values[0], Literal) and isinstance(values[0].value, int)):
                    raise UnsupportedShapeError(f"{name}: {_qname(g, predicate)} is not an integer")
                counts[predicate] = int(values[0].value)
        if not counts:
            raise UnsupportedShapeError(f"{name}: sh:qualifiedValueShape without a count")
        disjoint = any(
            isinstance(d, Literal) and d.value is True
            for d in g.objects(shape.node, SH.qualifiedValueShapesDisjoint)
        )
        siblings: list[Node] = []
        if disjoint:
            for parent in g.subjects(SH.property, shape.node):
                for sibling in g.objects(parent, SH.property):
                    for other in g.objects(sibling, SH.qualifiedValueShape):
                        if other != value and other not in siblings:
                            self.shape(other, name)
                            siblings.append(other)
        extra = {"siblings": tuple(siblings)}
        if SH.qualifiedMinCount in counts:
            shape.constraints.append(
                Constraint(
                    SH.qualifiedValueShape,
                    value,
                    SH.QualifiedMinCountConstraintComponent,
                    "qualified-min",
                    {**extra, "count": counts[SH.qualifiedMinCount]},
                )
            )
        if SH.qualifiedMaxCount in counts:
            shape.constraints.append(
                Constraint(
                    SH.qualifiedValueShape,
                    value,
                    SH.QualifiedMaxCountConstraintComponent,
                    "qualified-max",
                    {**extra, "count": counts[SH.qualifiedMaxCount]},
                )
            )

    def _sparql(self, shape: Shape, node: Node) -> Constraint:
        g, name = self.graph, shape.name
        if list(g.objects(node, SH.ask)):
            raise UnsupportedShapeError(f"{name}: sh:sparql with sh:ask is not supported")
        selects = list(g.objects(node, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise UnsupportedShapeError(f"{name}: sh:sparql needs exactly one sh:select string")
        text = str(selects[0])
        for keyword in ("MINUS", "VALUES", "SERVICE"):
            if re.search(rf"(?<![\w:-]){keyword}\b", _strip_strings(text), flags=re.I):
                raise UnsupportedShapeError(f"{name}: a SPARQL constraint must not use {keyword}")
        if re.search(r"[$?]shapesGraph\b", text):
            raise UnsupportedShapeError(f"{name}: $shapesGraph is not supported")
        if re.search(r"[$?]currentShape\b", text):
            if not isinstance(shape.node, URIRef):
                raise UnsupportedShapeError(f"{name}: $currentShape of a blank node shape")
            text = re.sub(r"[$?]currentShape\b", f"<{shape.node}>", text)
        if re.search(r"\$PATH\b", text):
            if shape.sparql_path is None:
                raise UnsupportedShapeError(f"{name}: $PATH in a node shape's SPARQL constraint")
            text = re.sub(r"\$PATH\b", lambda _m: shape.sparql_path or "", text)
        deactivated = any(
            isinstance(d, Literal) and bool(d.value) for d in g.objects(node, SH.deactivated)
        )
        messages = _literals(g.objects(node, SH.message))
        return Constraint(
            SH.sparql,
            node,
            SH.SPARQLConstraintComponent,
            "sparql",
            {
                "select": text,
                "prefixes": self._prefixes(node),
                "messages": messages,
                "deactivated": deactivated,
            },
        )

    def _prefixes(self, node: Node) -> dict[str, str]:
        g = self.graph
        declares = set()
        ontologies = set(g.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")))
        for ontology in ontologies:
            declares |= set(g.objects(ontology, SH.declare))
        for holder in g.objects(node, SH.prefixes):
            declares |= set(g.objects(holder, SH.declare))
        prefixes = {}
        for declare in declares:
            prefix, namespace = g.value(declare, SH.prefix), g.value(declare, SH.namespace)
            if prefix is None or namespace is None:
                raise UnsupportedShapeError(
                    f"{_qname(g, node)}: sh:declare without prefix or namespace"
                )
            prefixes[str(prefix)] = str(namespace)
        return prefixes

    def _path(self, node: Node, name: str) -> tuple[str, float, frozenset[tuple[URIRef, bool]]]:
        """A SHACL path as a SPARQL property path, its length, and the (predicate, forward) it reads."""
        g = self.graph
        if isinstance(node, URIRef):
            return f"<{node}>", 1.0, frozenset({(node, True)})
        if not isinstance(node, BNode):
            raise UnsupportedShapeError(f"{name}: sh:path is a literal")
        if g.value(node, RDF.first) is not None:
            parts = [self._path(item, name) for item in _items(g, node, name)]
            return (
                "(" + "/".join(p[0] for p in parts) + ")",
                sum(p[1] for p in parts),
                frozenset().union(*(p[2] for p in parts)),
            )
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            parts = [self._path(item, name) for item in _items(g, alternatives, name)]
            if not parts:
                raise UnsupportedShapeError(f"{name}: empty sh:alternativePath")
            return (
                "(" + "|".join(p[0] for p in parts) + ")",
                max(p[1] for p in parts),
                frozenset().union(*(p[2] for p in parts)),
            )
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            text, length, reads = self._path(inverse, name)
            return f"^({text})", length, frozenset((p, not forward) for p, forward in reads)
        for predicate, suffix in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = g.value(node, predicate)
            if inner is not None:
                text, length, reads = self._path(inner, name)
                return f"({text}){suffix}", (length if suffix == "?" else math.inf), reads
        raise UnsupportedShapeError(f"{name}: unsupported sh:path form")


def _order(node: Node) -> tuple[int, str]:
    """A sort key for any RDF terms (rdflib does not order all of them)."""
    return (0 if isinstance(node, URIRef) else 1 if isinstance(node, BNode) else 2, node.n3())


def _literals(nodes: Iterable[Node]) -> tuple[Literal, ...]:
    return tuple(sorted((n for n in nodes if isinstance(n, Literal)), key=_order))


def _qname(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return str(node)


def _strip_strings(text: str) -> str:
    """SPARQL text with its string literals and IRIs blanked, to look for keywords."""
    return re.sub(
        r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|<[^\s<>]*>',
        '""',
        text,
    )


# -- SPARQL rendering ----------------------------------------------------------------------


def _term(node: Node | ox.NamedNode | ox.Literal) -> str:
    """An RDF term in SPARQL (N-Triples) syntax; blank nodes cannot be written in a query."""
    if isinstance(node, ox.NamedNode | ox.Literal):
        return str(node)
    if isinstance(node, URIRef | Literal):
        return str(to_oxigraph(node))
    raise ValueError(f"a blank node cannot be written in a SPARQL query: {node}")


def _string(text: str) -> str:
    return (
        '"'
        + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        + '"'
    )


@dataclass(frozen=True)
class Context:
    """The focus nodes a query runs on: a pattern binding the focus variable (and maybe ?origin)."""

    render: Callable[[str], str]
    origin: bool = False  # whether the pattern binds ?origin (the top focus node) too
    bulk: bool = False  # all the targets of a shape: set-at-a-time forms (hash joins, grouping)
    member: Callable[[str], str] | None = None  # a filter keeping the context's nodes


@dataclass(eq=False)
class Result:
    """One validation result, before it becomes a report graph."""

    shape: Shape
    constraint: Constraint
    focus: Node
    value: Node | None
    origin: Node
    path: Node | None = None
    messages: tuple[Literal, ...] | None = None
    details: list[Result] = field(default_factory=list)
    root: Node | None = None  # the node shape whose sh:node details this result is part of


@dataclass(eq=False)
class Query:
    """A SPARQL query of the plan and how its rows become results."""

    sparql: str
    shape: Shape
    kind: str  # "focus", "value", "values", "lookup", "unique", "count", "sparql"
    context: Context
    constraints: list[Constraint] = field(default_factory=list)
    root: Node | None = None
    owners: list[Shape] = field(default_factory=list)  # the shape of each constraint, when merged
    members: list[Shape] = field(default_factory=list)  # "values": the property shape of each ?k
    fallbacks: dict[int, Query] = field(default_factory=dict)  # per-row queries, for blank values


class Compiler:
    """Turns shapes into SPARQL: expressions for conformance, queries for results."""

    def __init__(self, model: ShapesModel, classes: Callable[[Node], list[str]]) -> None:
        self.model = model
        self.classes = classes
        self.specs: list[tuple[Any, ...]] = []
        self._spec_index: dict[tuple[Any, ...], int] = {}
        self._counter = itertools.count()
        self._regex_ok: dict[tuple[str, str], bool] = {}
        # While a bulk query is compiled: path -> variable of the existence probes of ?this,
        # and (value variable, classes) -> variable of the class probes of values.
        self.probes: dict[str, str] | None = None
        self.value_probes: dict[tuple[str, str], str] | None = None
        self.anchors: set[str] = set()  # the value variables probes may hang from

    def probe(self, path: str) -> str:
        """A variable bound iff ?this has a value on the path, by a hash-joined OPTIONAL."""
        assert self.probes is not None
        if path not in self.probes:
            self.probes[path] = self.var("p")
        return self.probes[path]

    def probe_patterns(self) -> str:
        return " ".join(
            f"OPTIONAL {{ SELECT DISTINCT ?this (true AS {var}) WHERE {{ ?this {path} {self.var()} }} }}"
            for path, var in (self.probes or {}).items()
        )

    def value_probe_patterns(self, anchor: str) -> str:
        """Hash-joined class memberships of a value variable (rdf:type in the subclass closure)."""
        patterns = []
        for (v, classes), var in (self.value_probes or {}).items():
            if v == anchor:
                t = self.var("t")
                patterns.append(
                    f"OPTIONAL {{ SELECT DISTINCT {v} (true AS {var}) WHERE {{ {v} {RDF_TYPE} {t} . "
                    f"VALUES {t} {{ {classes} }} }} }}"
                )
        return " ".join(patterns)

    def var(self, base: str = "v") -> str:
        return f"?_{base}{next(self._counter)}"

    def check(self, spec: tuple[Any, ...], value: str) -> str:
        """A call of the Python check for a value, registered under a stable index."""
        index = self._spec_index.get(spec)
        if index is None:
            index = self._spec_index[spec] = len(self.specs)
            self.specs.append(spec)
        return f"<{CHECK.value}>({value}, {index})"

    # conformance, as SPARQL boolean expressions (true when the node does NOT conform)
    def nonconform(self, shape: Shape, x: str, mode: str, stack: tuple[Node, ...] = ()) -> str:
        """True iff x does not conform to the shape; mode "results": iff it has any result."""
        if shape.deactivated or (mode == "conform" and shape.severity in ALLOWED_SEVERITIES):
            return "false"
        if shape.node in stack:
            raise UnsupportedShapeError(f"{shape.name}: recursive shapes are not supported")
        stack = (*stack, shape.node)
        parts: list[str] = []
        value_parts: list[str] = []
        v = self.var() if shape.is_property else x
        for c in shape.constraints:
            if c.kind == "value":
                value_parts.append(self.value_violation(shape, c, v, stack))
            elif c.kind == "property":
                value_parts.append(self.nonconform(self.model.shapes[c.value], v, mode, stack))
            elif c.kind == "sparql":
                if c.extra["deactivated"]:
                    continue
                raise UnsupportedShapeError(
                    f"{shape.name}: a SPARQL constraint in a shape used by sh:node, sh:and, "
                    "sh:or, sh:not, sh:xone or sh:qualifiedValueShape is not supported"
                )
            else:
                parts.append(self.focus_violation(shape, c, x, stack))
        value_parts = [p for p in value_parts if p != "false"]
        if value_parts:
            joined = " || ".join(value_parts)
            if shape.is_property:
                parts.append(f"EXISTS {{ {x} {shape.sparql_path} {v} . FILTER({joined}) }}")
            else:
                parts.append(f"({joined})")
        parts = [p for p in parts if p != "false"]
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def distinct_values(
        self, x: str, path: str, n: int, where: str, condition: Callable[[str], str] | None = None
    ) -> str:
        """A pattern matching n pairwise distinct values of x on the path (meeting the condition)."""
        if n > MAX_PAIRWISE:
            raise UnsupportedShapeError(
                f"{where}: a count above {MAX_PAIRWISE} inside a nested shape"
            )
        names = [self.var() for _ in range(n)]
        pattern = " ".join(f"{x} {path} {name} ." for name in names)
        filters = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        if condition is not None:
            filters += [condition(name) for name in names]
        return pattern + (f" FILTER({' && '.join(filters)})" if filters else "")

    def qualified_condition(self, c: Constraint, stack: tuple[Node, ...]) -> Callable[[str], str]:
        """True for a value that conforms to the qualified shape and to none of its siblings."""
        model = self.model

        def condition(v: str) -> str:
            parts = [f"!{self.nonconform(model.shapes[c.value], v, 'conform', stack)}"]
            parts += [
                self.nonconform(model.shapes[s], v, "conform", stack) for s in c.extra["siblings"]
            ]
            return "(" + " && ".join(parts) + ")"

        return condition

    def focus_violation(self, shape: Shape, c: Constraint, x: str, stack: tuple[Node, ...]) -> str:
        """True iff the focus x violates a constraint on its set of values."""
        path = shape.sparql_path or ""
        if c.parameter == SH.hasValue:
            if shape.is_property:
                return f"NOT EXISTS {{ {x} {path} {_term(c.value)} }}"
            return f"!sameTerm({x}, {_term(c.value)})"
        if c.kind == "unique":
            a, b = self.var(), self.var()
            return (
                f"EXISTS {{ {x} {path} {a} . {x} {path} {b} . FILTER(!sameTerm({a}, {b}) && "
                f'isLiteral({a}) && isLiteral({b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
            )
        if c.parameter == SH.minCount:
            if int(c.value) == 1 and self.probes is not None and x == "?this":
                return f"!BOUND({self.probe(path)})"
            return f"NOT EXISTS {{ {self.distinct_values(x, path, int(c.value), shape.name)} }}"
        if c.parameter == SH.maxCount:
            return f"EXISTS {{ {self.distinct_values(x, path, int(c.value) + 1, shape.name)} }}"
        condition = self.qualified_condition(c, stack)
        count = c.extra["count"]
        if c.kind == "qualified-min":
            if count <= 0:
                return "false"
            return f"NOT EXISTS {{ {self.distinct_values(x, path, count, shape.name, condition)} }}"
        return f"EXISTS {{ {self.distinct_values(x, path, count + 1, shape.name, condition)} }}"

    def value_violation(self, shape: Shape, c: Constraint, v: str, stack: tuple[Node, ...]) -> str:
        """True iff the value node v violates a value-type constraint."""
        g, p, value = self.model.graph, c.parameter, c.value
        if p == SH["class"]:
            t = self.var("t")
            classes = " ".join(self.classes(value))
            if self.value_probes is not None and v in self.anchors:
                if (v, classes) not in self.value_probes:
                    self.value_probes[(v, classes)] = self.var("k")
                return f"!BOUND({self.value_probes[(v, classes)]})"
            return f"NOT EXISTS {{ {v} {RDF_TYPE} {t} . VALUES {t} {{ {classes} }} }}"
        if p == SH.datatype:
            return f"!COALESCE({self.datatype_ok(value, v)}, false)"  # type: ignore[arg-type]
        if p == SH.nodeKind:
            kinds = {
                SH.IRI: "isIRI({0})",
                SH.BlankNode: "isBlank({0})",
                SH.Literal: "isLiteral({0})",
                SH.BlankNodeOrIRI: "(isIRI({0}) || isBlank({0}))",
                SH.BlankNodeOrLiteral: "(isBlank({0}) || isLiteral({0}))",
                SH.IRIOrLiteral: "(isIRI({0}) || isLiteral({0}))",
            }
            if value not in kinds:
                raise UnsupportedShapeError(f"{shape.name}: unknown sh:nodeKind {value}")
            return "!" + kinds[value].format(v)  # type: ignore[index]
        if p in RANGE_OPERATORS:
            return f"!COALESCE({self.range_ok(p, value, v)}, false)"  # type: ignore[arg-type]
        if p in (SH.minLength, SH.maxLength):
            n = int(value)  # type: ignore[arg-type]
            if p == SH.minLength and n == 0:
                return "false"
            op = ">=" if p == SH.minLength else "<="
            check = self.check(("length", op, n), v)
            return (
                f"!COALESCE(IF(isBlank({v}), false, IF({self.stringish(v)}, "
                f"STRLEN(STR({v})) {op} {n}, {check})), false)"
            )
        if p == SH.pattern:
            return f"!COALESCE({self.pattern_ok(shape, value, v)}, false)"  # type: ignore[arg-type]
        if p == SH.languageIn:
            langs = sorted({str(item.value).lower() for item in g.items(value)})  # type: ignore[union-attr]
            if "*" in langs:
                return f'!COALESCE(isLiteral({v}) && LANG({v}) != "", false)'
            listed = ", ".join(_string(lang) for lang in langs)
            return (
                f'!COALESCE(isLiteral({v}) && LANG({v}) != "" && (LCASE(LANG({v})) IN ({listed}) || '
                f'LCASE(STRBEFORE(CONCAT(LANG({v}), "-"), "-")) IN ({listed})), false)'
            )
        if p == SH["in"]:
            members = [m for m in g.items(value) if not isinstance(m, BNode)]
            if not members:
                return "true"
            return "!(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")"
        if p == SH.node:
            return self.nonconform(self.model.shapes[value], v, "results", stack)
        members = [self.model.shapes[m] for m in g.items(value)]
        if p == SH["not"]:
            return f"!{self.nonconform(self.model.shapes[value], v, 'conform', stack)}"
        failing = [self.nonconform(m, v, "conform", stack) for m in members]
        if p == SH["and"]:
            return "(" + " || ".join(failing) + ")"
        if p == SH["or"]:
            return "(" + " && ".join(failing) + ")"
        if p == SH.xone:
            return "((" + " + ".join(f"IF({f}, 0, 1)" for f in failing) + ") != 1)"
        raise UnsupportedShapeError(f"{shape.name}: {_qname(g, p)} is not supported")

    @staticmethod
    def stringish(v: str) -> str:
        """A value whose string form is its lexical form in pySHACL: an IRI or a string literal."""
        return (
            f'(isIRI({v}) || (isLiteral({v}) && (DATATYPE({v}) = {XSD_STRING} || LANG({v}) != "")))'
        )

    def datatype_ok(self, datatype: Node, v: str) -> str:
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == XSD.string:
            return f"(isLiteral({v}) && DATATYPE({v}) = {XSD_STRING})"
        if datatype == RDF.langString:
            return f'(isLiteral({v}) && LANG({v}) != "")'
        if datatype == RDFS.Datatype:
            return f'(isLiteral({v}) && LANG({v}) = "" && DATATYPE({v}) != {XSD_STRING})'
        base = f"(isLiteral({v}) && DATATYPE({v}) = {_term(datatype)})"
        if datatype not in XSDToPython:
            return base
        check = self.check(("datatype", str(datatype)), v)
        if datatype in SAFE_LEXICAL:
            safe = f"REGEX(STR({v}), {_string(SAFE_LEXICAL[datatype])})"  # type: ignore[index]
            return f"IF({base}, IF({safe}, true, {check}), false)"
        return f"IF({base}, {check}, false)"

    def range_ok(self, parameter: URIRef, bound: Literal, v: str) -> str:
        op = RANGE_OPERATORS[parameter]
        check = self.check(
            ("range", op, str(bound), str(bound.datatype or ""), bound.language or ""), v
        )
        if (
            bound.datatype in NUMERIC
            and isinstance(bound.value, int | Decimal | float)
            and not isinstance(bound.value, bool)
        ):
            types = ", ".join(_term(t) for t in NUMERIC)
            fast = f"isNumeric({v}) && DATATYPE({v}) IN ({types})"
            return f"IF(!isLiteral({v}), false, IF({fast}, {v} {op} {_term(bound)}, {check}))"
        return f"IF(!isLiteral({v}), false, {check})"

    def pattern_ok(self, shape: Shape, pattern: Literal, v: str) -> str:
        flags_node = next(iter(self.model.graph.objects(shape.node, SH.flags)), None)
        flags = (
            str(flags_node.value).lower()
            if isinstance(flags_node, Literal) and flags_node.value
            else ""
        )
        text = (
            str(pattern.value)
            if pattern.value is not None and len(pattern.value) > 1
            else str(pattern)
        )
        check = self.check(("pattern", text, flags), v)
        sparql_flags = "m" if "m" in flags else ""
        if "i" not in flags and self.portable_regex(text, sparql_flags):
            regex = f"REGEX(STR({v}), {_string(text)}, {_string(sparql_flags)})"
            return f"IF(isBlank({v}), false, IF({self.stringish(v)}, IF({regex}, true, {check}), {check}))"
        return f"IF(isBlank({v}), false, {check})"

    def portable_regex(self, pattern: str, flags: str) -> bool:
        """Whether a match by SPARQL REGEX implies a match by Python's re (then only misses go to Python)."""
        key = (pattern, flags)
        if key not in self._regex_ok:
            ok = "\\" not in pattern and "(?" not in pattern and "[:" not in pattern
            if ok:
                try:
                    ox.Store().query(
                        f'SELECT (REGEX("", {_string(pattern)}, {_string(flags)}) AS ?x) {{}}'
                    )
                    re.compile(pattern)
                except (SyntaxError, OSError, re.error):
                    ok = False
            self._regex_ok[key] = ok
        return self._regex_ok[key]

    # queries producing results
    def targets(self, shape: Shape, x: str) -> str:
        """A pattern binding x to the shape's target nodes (possibly more than once)."""
        branches: list[str] = []
        if shape.target_nodes:
            nodes = " ".join(_term(t) for t in shape.target_nodes if not isinstance(t, BNode))
            branches.append(f"{{ VALUES {x} {{ {nodes} }} }}")
        if shape.target_classes:
            classes = sorted({c for t in shape.target_classes for c in self.classes(t)})
            t = self.var("c")
            branches.append(f"{{ {x} {RDF_TYPE} {t} . VALUES {t} {{ {' '.join(classes)} }} }}")
        for predicate in shape.target_subjects_of:
            branches.append(f"{{ {x} {_term(predicate)} {self.var('o')} }}")
        for predicate in shape.target_objects_of:
            branches.append(f"{{ {self.var('s')} {_term(predicate)} {x} }}")
        return " UNION ".join(branches)

    def target_context(self, shape: Shape, restrict: Sequence[Node] | None = None) -> Context:
        """The shape's targets; with restrict, only those among the given nodes."""

        def render(x: str) -> str:
            if restrict is None:
                return f"{{ SELECT DISTINCT {x} WHERE {{ {self.targets(shape, x)} }} }}"
            values = " ".join(_term(n) for n in restrict)
            return (
                f"{{ SELECT DISTINCT {x} WHERE {{ VALUES {x} {{ {values} }} "
                f"FILTER EXISTS {{ {self.targets(shape, x)} }} }} }}"
            )

        def member(x: str) -> str:
            return f"FILTER EXISTS {{ {self.targets(shape, x)} }}"

        return Context(render, bulk=restrict is None, member=member if restrict is None else None)

    @staticmethod
    def values_context(nodes: Sequence[Node]) -> Context:
        values = " ".join(_term(n) for n in nodes)
        return Context(lambda x: f"VALUES {x} {{ {values} }}")

    def derived_context(self, parent: Context, path: str) -> Context:
        """The values of a path from a context's focus nodes, keeping their origin."""

        def render(x: str) -> str:
            f = self.var("f")
            bind = "" if parent.origin else f" BIND({f} AS ?origin)"
            return f"{{ SELECT DISTINCT {x} ?origin WHERE {{ {parent.render(f)} {f} {path} {x}{bind} }} }}"

        return Context(render, origin=True)

    def plan(self, shape: Shape, context: Context) -> list[Query]:
        """The queries giving the results of validating the context's nodes against the shape."""
        if shape.deactivated:
            return []
        if context.bulk:
            return self.plan_bulk(shape, context)
        saved = (self.probes, self.value_probes, self.anchors)
        self.probes, self.value_probes, self.anchors = None, None, set()
        try:
            return self._plan_rows(shape, context)
        finally:
            self.probes, self.value_probes, self.anchors = saved

    def _plan_rows(self, shape: Shape, context: Context) -> list[Query]:
        """Per-focus-node queries: for few focus nodes (details, incremental validation)."""
        queries: list[Query] = []
        origin = " ?origin" if context.origin else ""
        focus_flags: list[tuple[Constraint, str]] = []
        value_flags: list[tuple[Constraint, str]] = []
        stack = (shape.node,)
        for c in shape.constraints:
            if c.kind == "property":
                sub = (
                    self.derived_context(context, shape.sparql_path)
                    if shape.is_property
                    else context
                )  # type: ignore[arg-type]
                queries += self.plan(self.model.shapes[c.value], sub)
            elif c.kind == "sparql":
                if not c.extra["deactivated"]:
                    queries.append(self.sparql_query(shape, c, context))
            elif c.kind == "unique":
                queries.append(self.unique_query(shape, c, context, False))
            elif c.kind == "value" and shape.is_property:
                value_flags.append((c, self.value_violation(shape, c, "?value", stack)))
            elif c.kind == "value":
                focus_flags.append((c, self.value_violation(shape, c, "?this", stack)))
            elif c.parameter in (SH.minCount, SH.maxCount) and int(c.value) > 3:  # type: ignore[arg-type]
                queries.append(self.count_query(shape, c, context))
            else:
                focus_flags.append((c, self.focus_violation(shape, c, "?this", stack)))
        if focus_flags:
            queries.append(
                self.flag_query(shape, "focus", context, focus_flags, f"?this{origin}", "")
            )
        if value_flags:
            queries.append(
                self.flag_query(
                    shape,
                    "value",
                    context,
                    value_flags,
                    f"DISTINCT ?this{origin} ?value",
                    f"?this {shape.sparql_path} ?value .",
                )
            )
        return queries

    def plan_bulk(self, shape: Shape, context: Context) -> list[Query]:
        """All the targets of a shape, set at a time: one grouping pass over the values of all its
        property shapes for the counts, one pass over their distinct values for value checks."""
        queries: list[Query] = []
        members = (
            [shape]
            if shape.is_property
            else [self.model.shapes[c.value] for c in shape.constraints if c.kind == "property"]
        )
        members = [m for m in members if not m.deactivated]
        slow = Context(context.render, member=context.member)
        flags: list[tuple[Shape, Constraint, str]] = []  # on the focus node, after grouping
        aggregates: list[str] = []
        branches: list[str] = []
        value_flags: list[tuple[int, Shape, Constraint, str]] = []
        value_branches: list[str] = []
        self.probes, self.value_probes = {}, {}
        if not shape.is_property:
            for c in shape.constraints:
                if c.kind == "sparql" and not c.extra["deactivated"]:
                    queries.append(self.sparql_query(shape, c, context))
                elif c.kind == "value":
                    flags.append((shape, c, self.value_violation(shape, c, "?this", (shape.node,))))
                elif c.kind == "focus":
                    flags.append((shape, c, self.focus_violation(shape, c, "?this", (shape.node,))))
        for j, m in enumerate(members):
            if m.path_length == math.inf:
                queries += self.plan(m, slow)
                continue
            stack = (m.node,)
            v = f"?v{j}"
            self.anchors = {v, "?value"}
            binds: list[str] = []
            for c in m.constraints:
                if c.kind == "property":
                    queries += self.plan(
                        self.model.shapes[c.value], self.derived_context(slow, m.sparql_path)
                    )  # type: ignore[arg-type]
                elif c.kind == "sparql":
                    if not c.extra["deactivated"]:
                        queries.append(self.sparql_query(m, c, context))
                elif c.kind == "unique":
                    queries.append(self.unique_query(m, c, context, True))
                elif c.kind == "value":
                    value_flags.append((j, m, c, self.value_violation(m, c, "?value", stack)))
                else:
                    i = len(flags)
                    if c.parameter == SH.minCount:
                        aggregates.append(f"(COUNT(DISTINCT {v}) AS ?n{i})")
                        flags.append((m, c, f"?n{i} < {int(c.value)}"))  # type: ignore[arg-type]
                    elif c.parameter == SH.maxCount:
                        aggregates.append(f"(COUNT(DISTINCT {v}) AS ?n{i})")
                        flags.append((m, c, f"?n{i} > {int(c.value)}"))  # type: ignore[arg-type]
                    elif c.parameter == SH.hasValue:
                        aggregates.append(
                            f"(SUM(COALESCE(IF(sameTerm({v}, {_term(c.value)}), 1, 0), 0)) AS ?n{i})"
                        )
                        flags.append((m, c, f"?n{i} = 0"))
                    else:
                        condition = self.qualified_condition(c, stack)(v)
                        binds.append(
                            f"BIND(IF(COALESCE({condition}, false), {v}, ?_none) AS ?q{i})"
                        )
                        aggregates.append(f"(COUNT(DISTINCT ?q{i}) AS ?n{i})")
                        op = "<" if c.kind == "qualified-min" else ">"
                        flags.append((m, c, f"?n{i} {op} {c.extra['count']}"))
            if any(c.kind not in ("property", "sparql", "unique", "value") for c in m.constraints):
                branches.append(
                    f"{{ {{ SELECT ?this {v} WHERE {{ ?this {m.sparql_path} {v} }} }} "
                    f"{self.value_probe_patterns(v)} {' '.join(binds)} }}"
                )
            if any(c.kind == "value" for c in m.constraints):
                value_branches.append(
                    f"{{ SELECT ({j} AS ?k) ?value WHERE {{ {self.var('s')} {m.sparql_path} ?value }} }}"
                )
        self.anchors = set()
        probes, self.probes = self.probe_patterns(), None
        value_probes = self.value_probe_patterns("?value")
        self.value_probes = None
        if flags:
            base = context.render("?this")
            if aggregates:
                base = (
                    f"{{ SELECT ?this {' '.join(aggregates)} WHERE {{ {base} OPTIONAL {{ "
                    f"{' UNION '.join(branches)} }} }} GROUP BY ?this }}"
                )
            binds = " ".join(
                f"BIND(COALESCE({e}, false) AS ?f{i})" for i, (_m, _c, e) in enumerate(flags)
            )
            names = " ".join(f"?f{i}" for i in range(len(flags)))
            any_flag = " || ".join(f"?f{i}" for i in range(len(flags)))
            queries.append(
                Query(
                    f"SELECT ?this {names} WHERE {{ {base} {probes} {binds} FILTER({any_flag}) }}",
                    shape,
                    "focus",
                    context,
                    [c for _m, c, _e in flags],
                    owners=[m for m, _c, _e in flags],
                )
            )
        if value_flags:
            binds = " ".join(
                f"BIND(COALESCE(IF(?k = {j}, {e}, false), false) AS ?f{i})"
                for i, (j, _m, _c, e) in enumerate(value_flags)
            )
            names = " ".join(f"?f{i}" for i in range(len(value_flags)))
            any_flag = " || ".join(f"?f{i}" for i in range(len(value_flags)))
            # The values of the paths from any subject: those failing are then traced back
            # to their focus nodes, keeping only the targets (see lookup_query).
            query = Query(
                f"SELECT ?k ?value {names} WHERE {{ {{ SELECT DISTINCT ?k ?value WHERE {{ "
                f"{' UNION '.join(value_branches)} }} }} {value_probes} {binds} FILTER({any_flag}) }}",
                shape,
                "values",
                context,
                [c for _j, _m, c, _e in value_flags],
                owners=[m for _j, m, _c, _e in value_flags],
                members=members,
            )
            for j, m in enumerate(members):
                mine = [(c, e) for jj, _m, c, e in value_flags if jj == j]
                if mine:
                    query.fallbacks[j] = self.flag_query(
                        m,
                        "value",
                        slow,
                        mine,
                        "DISTINCT ?this ?value",
                        f"?this {m.sparql_path} ?value . {value_probes}",
                    )
            queries.append(query)
        return queries

    def unique_query(self, shape: Shape, c: Constraint, context: Context, bulk: bool) -> Query:
        origin = " ?origin" if context.origin else ""
        path = shape.sparql_path
        if bulk and context.member is not None:  # group all subjects, then keep the targets
            return Query(
                f"SELECT ?this ?lang WHERE {{ {{ SELECT ?this ?lang WHERE {{ ?this {path} ?a . "
                f'FILTER(isLiteral(?a) && LANG(?a) != "") BIND(LCASE(LANG(?a)) AS ?lang) }} '
                f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?a) > 1) }} {context.member('?this')} }}",
                shape,
                "unique",
                context,
                [c],
            )
        a, b = self.var(), self.var()
        return Query(
            f"SELECT DISTINCT ?this{origin} ?lang WHERE {{ {context.render('?this')} "
            f"?this {path} {a} . ?this {path} {b} . FILTER(!sameTerm({a}, {b}) && isLiteral({a}) "
            f'&& isLiteral({b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) '
            f"BIND(LCASE(LANG({a})) AS ?lang) }}",
            shape,
            "unique",
            context,
            [c],
        )

    @staticmethod
    def flag_query(
        shape: Shape,
        kind: str,
        context: Context,
        flags: list[tuple[Constraint, str]],
        projection: str,
        pattern: str,
    ) -> Query:
        binds = " ".join(
            f"BIND(COALESCE({expr}, false) AS ?f{i})" for i, (_c, expr) in enumerate(flags)
        )
        names = " ".join(f"?f{i}" for i in range(len(flags)))
        any_flag = " || ".join(f"?f{i}" for i in range(len(flags)))
        return Query(
            f"SELECT {projection} {names} WHERE {{ {context.render('?this')} {pattern} {binds} "
            f"FILTER({any_flag}) }}",
            shape,
            kind,
            context,
            [c for c, _e in flags],
        )

    @staticmethod
    def lookup_query(shape: Shape, context: Context, values: list[Node]) -> Query:
        """The focus nodes of the failing values of a bulk value query."""
        member = context.member("?this") if context.member else ""
        listed = " ".join(_term(v) for v in values)
        return Query(
            f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {listed} }} "
            f"?this {shape.sparql_path} ?value . {member} }}",
            shape,
            "lookup",
            context,
        )

    @staticmethod
    def count_query(shape: Shape, c: Constraint, context: Context) -> Query:
        origin = " ?origin" if context.origin else ""
        n = int(c.value)  # type: ignore[arg-type]
        having = (
            f"COUNT(DISTINCT ?value) < {n}"
            if c.parameter == SH.minCount
            else f"COUNT(DISTINCT ?value) > {n}"
        )
        return Query(
            f"SELECT ?this{origin} WHERE {{ {context.render('?this')} OPTIONAL {{ ?this "
            f"{shape.sparql_path} ?value }} }} GROUP BY ?this{origin} HAVING ({having})",
            shape,
            "count",
            context,
            [c],
        )

    def sparql_query(self, shape: Shape, c: Constraint, context: Context) -> Query:
        """A SPARQL-based constraint run for every focus node at once, $this joined to the context."""
        text = c.extra["select"]
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(c.extra["prefixes"].items()))
        select = re.search(r"\bSELECT\b", text, flags=re.I)
        brace = _first_brace(text)
        if select is None or brace is None:
            raise UnsupportedShapeError(f"{shape.name}: cannot read the SPARQL constraint's SELECT")
        head = text[select.end() : brace]
        extra = ""
        if not re.search(r"[$?]this\b", head) and "*" not in head:
            extra = " ?this"
        if context.origin and "?origin" not in head:
            extra += " ?origin"
        modifier = re.match(r"\s*(DISTINCT|REDUCED)\b", head, flags=re.I)
        cut = select.end() + (modifier.end() if modifier else 0)
        query = (
            prefixes
            + text[:cut]
            + extra
            + text[cut : brace + 1]
            + f" {context.render('?this')} "
            + text[brace + 1 :]
        )
        return Query(query, shape, "sparql", context, [c])


def _first_brace(text: str) -> int | None:
    """The position of the first '{' outside strings, IRIs and comments."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith(('"""', "'''"), i):
            end = text.find(text[i : i + 3], i + 3)
            i = n if end < 0 else end + 3
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i += re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]).end()  # type: ignore[union-attr]
        elif ch == "{":
            return i
        else:
            i += 1
    return None


# -- the Python side of the checks pySHACL makes in Python ------------------------------------


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it converts; hush it while checking."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _actual_datatype(value: Literal, rule: URIRef) -> bool:
    """pySHACL's _assert_actual_datatype."""
    from datetime import date, datetime
    from datetime import time as dtime

    python = value.value
    expected = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: dtime,
        XSD.dateTime: datetime,
    }.get(rule)
    return True if expected is None else isinstance(python, expected)  # type: ignore[arg-type]


def _datatype_matches(v: Node, rule: URIRef) -> bool:
    """pySHACL's sh:datatype test of one value node."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        return getattr(v, "ill_typed", None) is not True and _actual_datatype(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual_datatype(v, rule)
    return bool(rule == RDF.langString and v.language and _actual_datatype(v, rule))


def _as_string(v: Node) -> str:
    """pySHACL's value_node_to_string."""
    if (
        isinstance(v, Literal)
        and v.value is not None
        and v.datatype in (None, RDF.langString, XSD.string)
    ):
        return str(v.value)
    return str(v)


def _build_check(spec: tuple[Any, ...]) -> Callable[[Node], bool]:
    kind = spec[0]
    if kind == "datatype":
        rule = URIRef(spec[1])
        return lambda v: _datatype_matches(v, rule)
    if kind == "length":
        _kind, op, n = spec
        return lambda v: (
            not isinstance(v, BNode)
            and (len(_as_string(v)) >= n if op == ">=" else len(_as_string(v)) <= n)
        )
    if kind == "pattern":
        _kind, pattern, flags = spec
        compiled = re.compile(
            pattern, (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
        )
        return lambda v: not isinstance(v, BNode) and compiled.search(_as_string(v)) is not None
    if kind == "range":
        from pyshacl.rdfutil.compare import compare_literal

        _kind, op, lexical, datatype, language = spec
        bound = Literal(
            lexical, datatype=URIRef(datatype) if datatype else None, lang=language or None
        )
        tests = {
            ">=": lambda c: c >= 0,
            ">": lambda c: c > 0,
            "<=": lambda c: c <= 0,
            "<": lambda c: c < 0,
        }
        test = tests[op]

        def check(v: Node) -> bool:
            if not isinstance(v, Literal):
                return False
            if isinstance(bound.value, str) != isinstance(v.value, str):  # type: ignore[union-attr]
                return False
            try:
                return test(compare_literal(v, bound))
            except (TypeError, NotImplementedError):
                return False

        return check
    raise ValueError(f"unknown check {spec!r}")


_TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
_FALSE = ox.Literal("false", datatype=ox.NamedNode(str(XSD.boolean)))


def _check_function(specs: Sequence[tuple[Any, ...]]) -> Callable[..., ox.Literal]:
    """The Python function behind CHECK: CHECK(value, index) runs the index-th check."""
    checks = [_build_check(spec) for spec in specs]

    def check(term: Any, index: Any) -> ox.Literal:
        with _quiet_rdflib():
            return _TRUE if checks[int(index.value)](to_rdflib(term)) else _FALSE

    return check


# -- running the queries ----------------------------------------------------------------------


Rows = tuple[list[str], list[tuple[Any, ...]]]


def _query(
    store: ox.Store,
    sparql: str,
    graphs: Sequence[str] | None,
    functions: dict[ox.NamedNode, Callable[..., Any]] | None = None,
) -> Any:
    """A query on the data graph: the union of all graphs, or of the named graphs given."""
    if graphs is None:
        return store.query(sparql, use_default_graph_as_union=True, custom_functions=functions)
    default = [ox.NamedNode(g) for g in graphs]
    return store.query(sparql, default_graph=default, custom_functions=functions)  # type: ignore[arg-type]


def _execute(
    store: ox.Store,
    sparql: str,
    functions: dict[ox.NamedNode, Callable[..., Any]],
    graphs: Sequence[str] | None,
) -> Rows:
    solutions = _query(store, sparql, graphs, functions)
    names = [v.value for v in solutions.variables]
    return names, [tuple(row) for row in solutions]


_WORKER: dict[str, Any] = {}


def _worker_start(path: str, specs: list[tuple[Any, ...]], graphs: list[str] | None) -> None:
    _WORKER["store"] = ox.Store.read_only(path)
    _WORKER["functions"] = {CHECK: _check_function(specs)}
    _WORKER["graphs"] = graphs


def _worker_run(sparql: str) -> Rows:
    return _execute(_WORKER["store"], sparql, _WORKER["functions"], _WORKER["graphs"])


class _Runner:
    """Runs queries on a store, in this process or in worker processes sharing an on-disk store.

    Worker processes are spawned: a script asking for workers must guard its entry point with
    `if __name__ == "__main__":`.
    """

    def __init__(
        self, store: ox.Store, path: Path | None, workers: int, graphs: Sequence[str] | None
    ) -> None:
        self.store = store
        self.path = path
        self.graphs = None if graphs is None else list(graphs)
        self.workers = workers if path is not None else 1
        self._pool: ProcessPoolExecutor | None = None
        self._pool_specs = 0

    def run(self, sparqls: list[str], specs: list[tuple[Any, ...]]) -> list[Rows]:
        if self.workers <= 1 or len(sparqls) < 2:
            functions = {CHECK: _check_function(specs)}
            return [self._one(q, functions) for q in sparqls]
        if self._pool is None or self._pool_specs != len(specs):
            self.close()
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=get_context("spawn"),
                initializer=_worker_start,
                initargs=(str(self.path), list(specs), self.graphs),
            )
            self._pool_specs = len(specs)
        return list(self._pool.map(_worker_run, sparqls))

    def _one(self, sparql: str, functions: dict[ox.NamedNode, Callable[..., Any]]) -> Rows:
        try:
            return _execute(self.store, sparql, functions, self.graphs)
        except SyntaxError as error:
            raise RuntimeError(f"generated SPARQL does not parse ({error}):\n{sparql}") from error

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


# -- the validator ------------------------------------------------------------------------------


@dataclass
class DeltaReport:
    """An incremental validation: the report on the affected nodes, and which nodes were affected.

    `affected` is None when the delta forced a full validation (blank nodes in the delta).
    Patch a previous report by dropping its results whose focus (or origin) is affected and
    adding this report's.
    """

    report: ValidationReport
    affected: frozenset[Node] | None
    seconds: float
    results: list[Result] = field(default_factory=list, repr=False)


class ShaclSparqlValidator:
    """The shapes of a shapes graph compiled to SPARQL, run on pyoxigraph stores.

    Every constraint component the compiler does not translate raises UnsupportedShapeError
    when the validator is built, naming the shape. The data graph is the union of the store's
    graphs, or of the named graphs listed in `graphs` (to leave out, say, the OWL RL
    inferences of a built store); class membership follows rdf:type/rdfs:subClassOf* in it,
    as pySHACL does with inference="none". `namespaces` (a graph's prefixes or a mapping)
    shortens IRIs in the report, as the data graph's prefixes do in validate.py.
    """

    def __init__(
        self,
        shapes: Graph,
        namespaces: Graph | Mapping[str, str] | None = None,
        graphs: Sequence[str] | None = None,
    ) -> None:
        self.shapes_graph = shapes
        self.graphs = None if graphs is None else list(graphs)
        self.model = ShapesModel(shapes)
        self.namespaces = _namespace_graph(namespaces)
        self._dry_run()

    def _dry_run(self) -> None:
        """Compile every shape once, so that unsupported constructs are reported up front."""
        self._pyshacl_components: dict[tuple[Node, URIRef], Any] = {}
        dry = Compiler(self.model, lambda c: [_term(c)] if not isinstance(c, BNode) else [])
        for shape in self.model.shapes.values():
            if shape.has_targets or not shape.is_property:
                dry.plan(
                    shape,
                    dry.target_context(shape) if shape.has_targets else dry.values_context([]),
                )

    # full validation
    def validate(
        self,
        store: ox.Store | Path | str,
        *,
        workers: int = 1,
        locations: Mapping[URIRef, Location] | None = None,
    ) -> ValidationReport:
        """Validate the whole store (its union of named graphs) against the shapes."""
        results = self.results(store, workers=workers)
        return self.report(results, locations)

    def results(
        self,
        store: ox.Store | Path | str,
        *,
        workers: int = 1,
        focus: Sequence[Node] | None = None,
        everywhere: Iterable[Node] = (),
    ) -> list[Result]:
        """The raw results: of every target, or only of the focus nodes given (plus the shapes
        listed in `everywhere`, validated on all their targets)."""
        runner = self._runner(store, workers)
        try:
            compiler = Compiler(self.model, self._class_closure(runner.store))
            everywhere = set(everywhere)
            queries: list[Query] = []
            for shape in self.model.top:
                if focus is None or shape.node in everywhere:
                    context = compiler.target_context(shape)
                else:
                    if not focus:
                        continue
                    context = compiler.target_context(shape, focus)
                queries += compiler.plan(shape, context)
            return self._run(runner, compiler, queries)
        finally:
            runner.close()

    def _runner(self, store: ox.Store | Path | str, workers: int) -> _Runner:
        if isinstance(store, ox.Store):
            return _Runner(store, None, 1, self.graphs)
        path = Path(store)
        return _Runner(ox.Store.read_only(str(path)), path, workers, self.graphs)

    def _class_closure(self, store: ox.Store) -> Callable[[Node], list[str]]:
        """rdfs:subClassOf* of every class the shapes name, read from the data once."""
        classes = set()
        for shape in self.model.shapes.values():
            classes |= {c for c in shape.target_classes if isinstance(c, URIRef)}
            classes |= {
                c.value
                for c in shape.constraints
                if c.parameter == SH["class"] and isinstance(c.value, URIRef)
            }
        closure: dict[Node, list[str]] = {}
        if classes:
            values = " ".join(_term(c) for c in sorted(classes))
            query = (
                f"SELECT DISTINCT ?c ?sub WHERE {{ VALUES ?c {{ {values} }} ?sub {SUBCLASS}* ?c }}"
            )
            found: dict[Node, set[str]] = defaultdict(set)
            for row in _query(store, query, self.graphs):
                if not isinstance(row[1], ox.BlankNode):
                    found[to_rdflib(row[0])].add(str(row[1]))
            closure = {c: sorted(found[c] | {_term(c)}) for c in classes}

        def lookup(node: Node) -> list[str]:
            if node in closure:
                return closure[node]
            return [] if isinstance(node, BNode) else [_term(node)]

        return lookup

    def _run(self, runner: _Runner, compiler: Compiler, queries: list[Query]) -> list[Result]:
        """Run the plan, then, round after round, the sh:node details of the sh:node results."""
        results = self._round(runner, compiler, queries)
        requests = [r for r in results if r.constraint.parameter == SH.node]
        while requests:
            wanted: dict[Node, set[Node]] = defaultdict(set)
            for r in requests:
                wanted[r.constraint.value].add(r.value)  # type: ignore[arg-type]
            pending: list[Query] = []
            for node_shape, values in wanted.items():
                shape = self.model.shapes[node_shape]
                if any(isinstance(v, BNode) for v in values):
                    raise UnsupportedShapeError(
                        f"{shape.name}: sh:node details of blank nodes are not supported"
                    )
                for query in compiler.plan(
                    shape, compiler.values_context(sorted(values, key=_order))
                ):
                    query.root = node_shape
                    pending.append(query)
            fresh = self._round(runner, compiler, pending)
            found: dict[tuple[Node, Node], list[Result]] = defaultdict(list)
            for r in fresh:
                found[(r.root, r.origin)].append(r)  # type: ignore[index]
            for r in requests:  # details are shared, as many times as pySHACL repeats them
                r.details = found.get((r.constraint.value, r.value), [])  # type: ignore[arg-type]
            requests = [r for r in fresh if r.constraint.parameter == SH.node]
        return results

    def _round(self, runner: _Runner, compiler: Compiler, queries: list[Query]) -> list[Result]:
        """Run queries; the failing values of bulk value queries are then traced to their focus."""
        tables = runner.run([q.sparql for q in queries], compiler.specs)
        out: list[Result] = []
        second: list[tuple[Query, dict[Node, list[Constraint]]]] = []
        for query, (names, table) in zip(queries, tables, strict=True):
            if query.kind != "values":
                out += self._read(query, names, table)
                continue
            index = {name: i for i, name in enumerate(names)}
            failing: dict[int, dict[Node, list[Constraint]]] = defaultdict(dict)
            for row in table:
                j = int(row[index["k"]].value)
                failing[j][to_rdflib(row[index["value"]])] = [
                    c
                    for i, c in enumerate(query.constraints)
                    if row[index[f"f{i}"]] is not None and row[index[f"f{i}"]].value == "true"
                ]
            for j, values in failing.items():
                if any(isinstance(v, BNode) for v in values):
                    second.append((query.fallbacks[j], {}))
                else:
                    lookup = compiler.lookup_query(
                        query.members[j], query.context, sorted(values, key=_order)
                    )
                    lookup.root = query.root
                    second.append((lookup, values))
        if second:
            tables = runner.run([q.sparql for q, _f in second], compiler.specs)
            for (query, values), (names, table) in zip(second, tables, strict=True):
                if query.kind != "lookup":
                    out += self._read(query, names, table)
                    continue
                for this, value in table:
                    focus, node = to_rdflib(this), to_rdflib(value)
                    for c in values[node]:
                        out.append(
                            Result(
                                query.shape,
                                c,
                                focus,
                                node,
                                focus,
                                query.shape.path,
                                root=query.root,
                            )
                        )
        return out

    def _read(self, query: Query, names: list[str], table: list[tuple[Any, ...]]) -> list[Result]:
        if query.kind == "sparql":
            return self._sparql_rows(query, names, table)
        index = {name: i for i, name in enumerate(names)}
        shape = query.shape
        out: list[Result] = []

        def get(row: tuple[Any, ...], name: str) -> Node | None:
            i = index.get(name)
            return None if i is None or row[i] is None else to_rdflib(row[i])

        for row in table:
            focus = get(row, "this")
            origin = get(row, "origin") if query.context.origin else focus
            if query.kind in ("unique", "count"):
                out.append(
                    Result(
                        shape,
                        query.constraints[0],
                        focus,
                        None,
                        origin,
                        shape.path,
                        root=query.root,
                    )
                )  # type: ignore[arg-type]
                continue
            for i, c in enumerate(query.constraints):
                flag = row[index[f"f{i}"]]
                if flag is None or flag.value != "true":
                    continue
                owner = query.owners[i] if query.owners else shape
                if query.kind == "value":
                    value = get(row, "value")
                else:
                    value = focus if c.kind == "value" else None
                out.append(Result(owner, c, focus, value, origin, owner.path, root=query.root))  # type: ignore[arg-type]
        return out

    def _sparql_rows(
        self, query: Query, names: list[str], table: list[tuple[Any, ...]]
    ) -> list[Result]:
        """pySHACL's reading of a SPARQL constraint's rows: dedup, ?path, ?value, ?failure, messages."""
        shape, c = query.shape, query.constraints[0]
        hidden = {"origin"} if query.context.origin else set()
        seen: set[tuple[Any, ...]] = set()
        failed: set[Node] = set()
        out: list[Result] = []
        for row in table:
            bound = {n: to_rdflib(t) for n, t in zip(names, row, strict=True) if t is not None}
            origin = bound.get("origin", bound.get("this"))
            focus = bound.pop("this", None)
            for name in hidden:
                bound.pop(name, None)
            if focus is None:
                continue
            key = (focus, origin, tuple(sorted(bound.items())))
            if key in seen:
                continue
            seen.add(key)
            default_value = None if shape.is_property else focus
            if "failure" in bound:
                if focus in failed:
                    continue
                failed.add(focus)
                bound.pop("failure")
                variables = {**bound}
                value, path = default_value, shape.path
            else:
                path = bound.pop("path", None)
                path = shape.path if path is None else path
                value = bound.pop("value", None)
                value = default_value if value is None else value
                variables = {**bound, "this": focus}
                if path is not None:
                    variables["path"] = path
                if value is not None:
                    variables["value"] = value
            messages = _format_messages(c.extra["messages"], shape.messages, variables)
            out.append(Result(shape, c, focus, value, origin, path, messages, root=query.root))  # type: ignore[arg-type]
        return out

    # the report
    def messages(self, result: Result) -> tuple[Literal, ...]:
        """The result's messages: the shape's, else pySHACL's generic message."""
        if result.messages is not None:
            return result.messages
        if result.shape.messages:
            return result.shape.messages
        return tuple(self._generic(result))

    def _generic(self, result: Result) -> list[Literal]:
        key = (result.shape.node, result.constraint.parameter)
        component = self._pyshacl_components.get(key)
        if component is None:
            from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
            from pyshacl.shapes_graph import ShapesGraph

            if "sg" not in self._pyshacl_components:
                copy = Graph()
                for prefix, namespace in self.shapes_graph.namespaces():
                    copy.bind(prefix, namespace)
                for triple in self.shapes_graph:
                    copy.add(triple)
                sg = ShapesGraph(copy)
                _ = sg.shapes
                self._pyshacl_components["sg"] = sg  # type: ignore[index]
            sg = self._pyshacl_components["sg"]  # type: ignore[index]
            shape = sg.lookup_shape_from_node(result.shape.node)
            component = CONSTRAINT_PARAMETERS_MAP[result.constraint.parameter](shape)
            self._pyshacl_components[key] = component
        try:
            return list(
                component.make_generic_messages(self.namespaces, result.focus, result.value)
            )
        except NotImplementedError:
            return []

    def report(
        self, results: list[Result], locations: Mapping[URIRef, Location] | None = None
    ) -> ValidationReport:
        """The results as validate.py's ValidationReport, over a SHACL report graph."""
        graph = Graph(bind_namespaces="core")
        for prefix, namespace in self.shapes_graph.namespaces():
            graph.bind(prefix, namespace)
        for prefix, namespace in self.namespaces.namespaces():
            graph.bind(prefix, namespace, override=False)
        conforms = not any(r.shape.severity not in ALLOWED_SEVERITIES for r in results)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(conforms)))
        cloned: set[Node] = set()
        for result in results:
            graph.add((report, SH.result, self._add_result(graph, result, cloned)))
        return ValidationReport(
            conforms=conforms,
            focus_nodes=summarise(graph, self.namespaces, dict(locations or {})),
            graph=graph,
        )

    def _add_result(self, graph: Graph, result: Result, cloned: set[Node]) -> BNode:
        node = BNode()
        triples = [
            (node, RDF.type, _SH_RESULT),
            (node, _SH_FOCUS, result.focus),
            (node, _SH_SHAPE, result.shape.node),
            (node, _SH_COMPONENT, result.constraint.component),
            (node, _SH_SEVERITY, result.shape.severity),
        ]
        if result.value is not None:
            triples.append((node, _SH_VALUE, result.value))
        if result.path is not None:
            triples.append((node, _SH_PATH, result.path))
        if result.constraint.kind == "sparql":
            triples.append((node, _SH_CONSTRAINT, result.constraint.value))
        triples += [(node, _SH_MESSAGE, message) for message in self.messages(result)]
        triples += [(node, _SH_DETAIL, self._add_result(graph, d, cloned)) for d in result.details]
        graph.addN((s, p, o, graph) for s, p, o in triples)
        terms = [result.shape.node, result.path]
        if result.constraint.kind == "sparql":
            terms.append(result.constraint.value)
        for term in terms:
            if isinstance(term, BNode) and term not in cloned:
                _clone(self.shapes_graph, term, graph, cloned)
        return node

    # incremental validation
    def validate_delta(
        self,
        store: ox.Store | Path | str,
        added: Iterable[Any] | ox.NamedNode = (),
        removed: Iterable[Any] = (),
        *,
        locations: Mapping[URIRef, Location] | None = None,
    ) -> DeltaReport:
        """Validate only what a change can affect, in a store that already holds the change.

        `added` are the new triples (or the name of the named graph holding them), `removed`
        the triples taken out. The focus nodes whose results can differ from those of the
        store before the change are found as follows (this set is `affected`):

        1. Seeds. Validating a focus node f reads triples along the shapes' paths: from a
           node x reached from f after d path steps it reads (x p y) for a forward step and
           (y p x) for an inverse one; class checks and targets read (x rdf:type C) and the
           rdfs:subClassOf chain; sh:targetSubjectsOf / sh:targetObjectsOf read (x p y) /
           (y p x). So a changed triple matters only through its subject, or through its
           object when its predicate is read backwards (inverse path step, targetObjectsOf).
           A changed rdfs:subClassOf triple changes the class of every instance of the
           subclass and of its subclasses: they are all seeds.
        2. SPARQL constraints read arbitrary patterns. For each triple pattern of the query
           that a changed triple matches, the query is relaxed to the patterns that must hold
           together with it (the required patterns of the top group and those of the
           pattern's own group; filters dropped, which only adds solutions), evaluated on the
           store plus the removed triples with the pattern bound to the changed triple: the
           $this it yields are seeds. Queries this analysis cannot read (sub-queries, GRAPH,
           property paths matched by the change) make their shape validated everywhere.
        3. Climbing. A node is affected if a seed is reached from it by at most K steps of
           the predicates the shapes' paths read (in their direction), K being the longest
           chain of path steps through nested shapes (unbounded with * and + paths). The
           climb runs on the store after the change: along the path from an affected focus
           node to the first changed triple, every triple is unchanged.

        Only those nodes are then validated (a VALUES restriction of every shape's targets),
        and the report holds all their results, as full validation of the store would give
        them (sh:node details included). Nodes no longer targeted are in `affected` with no
        result.
        """
        start = time.perf_counter()
        runner = self._runner(store, 1)
        try:
            added_t = _triples(runner.store, added)
            removed_t = _triples(runner.store, removed)
            affected, everywhere = self.affected(runner.store, added_t, removed_t)
            if affected is not None and everywhere:
                affected = affected | self._targets(runner.store, everywhere)
        finally:
            runner.close()
        focus = None if affected is None else sorted(affected, key=_order)
        results = self.results(store, focus=focus, everywhere=everywhere)
        return DeltaReport(
            self.report(results, locations), affected, time.perf_counter() - start, results
        )

    def _targets(self, store: ox.Store, shapes: Iterable[Node]) -> frozenset[Node]:
        """Every target node of some shapes."""
        compiler = Compiler(self.model, self._class_closure(store))
        found: set[Node] = set()
        for node in shapes:
            query = f"SELECT DISTINCT ?this WHERE {{ {compiler.targets(self.model.shapes[node], '?this')} }}"
            found |= {to_rdflib(row[0]) for row in _query(store, query, self.graphs)}
        return frozenset(found)

    @cached_property
    def read_profile(self) -> tuple[frozenset[URIRef], frozenset[URIRef], float]:
        """The predicates read forward and backward by the shapes, and the depth K of reads."""
        forward: set[URIRef] = set()
        backward: set[URIRef] = set()

        def depth(shape: Shape, stack: tuple[Node, ...]) -> float:
            if shape.node in stack:
                return math.inf
            stack = (*stack, shape.node)
            for predicate, is_forward in shape.path_reads:
                (forward if is_forward else backward).add(predicate)
            inner = 0.0
            for c in shape.constraints:
                for node in self._nested_shapes(c):
                    inner = max(inner, depth(self.model.shapes[node], stack))
            return shape.path_length + inner

        k = 0.0
        for shape in self.model.top:
            k = max(k, depth(shape, ()))
            forward |= set(shape.target_subjects_of)
            backward |= set(shape.target_objects_of)
        return frozenset(forward), frozenset(backward), k

    def _nested_shapes(self, c: Constraint) -> list[Node]:
        g = self.model.graph
        if c.kind == "property" or c.parameter in (SH.node, SH["not"]):
            return [c.value]
        if c.kind in ("qualified-min", "qualified-max"):
            return [c.value, *c.extra["siblings"]]
        if c.parameter in (SH["and"], SH["or"], SH.xone):
            return list(g.items(c.value))
        return []

    def affected(
        self, store: ox.Store, added: list[ox.Triple], removed: list[ox.Triple]
    ) -> tuple[frozenset[Node] | None, set[Node]]:
        """The focus nodes a change can affect (None: all), and the shapes to run everywhere."""
        forward, backward, k = self.read_profile
        delta = added + removed
        seeds: set[Any] = set()
        for t in delta:
            seeds.add(t.subject)
            if URIRef(t.predicate.value) in backward:
                seeds.add(t.object)
        subclasses = sorted(
            {
                _term(t.subject)
                for t in delta
                if t.predicate.value == str(RDFS.subClassOf) and isinstance(t.subject, ox.NamedNode)
            }
        )
        if subclasses:
            query = (
                f"SELECT DISTINCT ?x WHERE {{ VALUES ?s {{ {' '.join(subclasses)} }} "
                f"?c {SUBCLASS}* ?s . ?x {RDF_TYPE} ?c }}"
            )
            seeds |= {row[0] for row in _query(store, query, self.graphs)}
        everywhere: set[Node] = set()
        for shape, c in self._sparql_constraints():
            try:
                seeds |= _sparql_seeds(store, c, added, removed, self.graphs)
            except _Global:
                everywhere.add(self._top_of(shape))
        if any(isinstance(s, ox.BlankNode) for s in seeds):
            return None, everywhere
        found = set(seeds)
        frontier = set(seeds)
        step = 0
        fwd = " ".join(_term(p) for p in sorted(forward))
        bwd = " ".join(_term(p) for p in sorted(backward))
        while frontier and step < k:
            step += 1
            values = " ".join(str(n) for n in frontier)
            branches = []
            if fwd:
                branches.append(f"{{ ?x ?p ?y . VALUES ?p {{ {fwd} }} }}")
            if bwd:
                branches.append(f"{{ ?y ?p ?x . VALUES ?p {{ {bwd} }} }}")
            if not branches:
                break
            query = f"SELECT DISTINCT ?x WHERE {{ VALUES ?y {{ {values} }} {' UNION '.join(branches)} }}"
            reached = {row[0] for row in _query(store, query, self.graphs)}
            if any(isinstance(n, ox.BlankNode) for n in reached):
                return None, everywhere
            frontier = reached - found
            found |= frontier
        return frozenset(to_rdflib(n) for n in found), everywhere

    def _sparql_constraints(self) -> list[tuple[Shape, Constraint]]:
        return [
            (s, c)
            for s in self.model.shapes.values()
            if not s.deactivated
            for c in s.constraints
            if c.kind == "sparql" and not c.extra["deactivated"]
        ]

    def _top_of(self, shape: Shape) -> Node:
        """The top-level shape a property shape hangs from (or the shape itself)."""
        if shape in self.model.top:
            return shape.node
        for parent in self.model.graph.subjects(SH.property, shape.node):
            return self._top_of(self.model.shapes[parent])
        return shape.node


def _clone(source: Graph, node: Node, target: Graph, done: set[Node]) -> None:
    """Copy a blank node's description (paths, shapes) into the report graph, keeping its id."""
    done.add(node)
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        if isinstance(o, BNode) and o not in done:
            _clone(source, o, target, done)


def _format_messages(
    extra: tuple[Literal, ...], own: tuple[Literal, ...], variables: Mapping[str, Node]
) -> tuple[Literal, ...]:
    """pySHACL's SPARQL messages: {?var} and {$var} replaced, the language kept."""

    def fill(message: Literal) -> Literal:
        text = str(message)
        for name, value in variables.items():
            text = re.sub(r"{[?$]" + re.escape(name) + "}", lambda _m, v=value: str(v), text)
        return Literal(text, lang=message.language)

    out = [fill(m) for m in extra if m not in own]
    return tuple(out + [fill(m) for m in own])


def _namespace_graph(namespaces: Graph | Mapping[str, str] | None) -> Graph:
    """A graph holding only the prefixes used to shorten IRIs in the report (a copy: never the caller's)."""
    if isinstance(namespaces, Graph):
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in namespaces.namespaces():
            graph.bind(prefix, namespace, override=True, replace=True)
        return graph
    from partenariat.namespaces import PREFIXES

    graph = Graph(bind_namespaces="core")
    for prefix, namespace in (namespaces or PREFIXES).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _triples(store: ox.Store, source: Iterable[Any] | ox.NamedNode) -> list[ox.Triple]:
    """Triples given as pyoxigraph or rdflib triples, or as the name of a graph of the store."""
    if isinstance(source, ox.NamedNode):
        return [q.triple for q in store.quads_for_pattern(None, None, None, source)]
    out = []
    for item in source:
        if isinstance(item, ox.Triple):
            out.append(item)
        elif isinstance(item, ox.Quad):
            out.append(item.triple)
        else:
            s, p, o = item[:3]
            out.append(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))  # type: ignore[arg-type]
    return out


# -- SPARQL constraints and a change: the delta rule ------------------------------------------


class _Global(Exception):
    """The SPARQL constraint cannot be analysed: its shape is validated on all its targets."""


_REQUIRED_CHILDREN = {
    "SelectQuery": {"p"},
    "Project": {"p"},
    "Distinct": {"p"},
    "Reduced": {"p"},
    "Slice": {"p"},
    "OrderBy": {"p"},
    "Filter": {"p"},
    "Extend": {"p"},
    "Join": {"p1", "p2"},
    "LeftJoin": {"p1"},
    "Minus": {"p1"},
    "Group": {"p"},
    "AggregateJoin": {"p"},
    "ToMultiSet": set(),
}
_OPAQUE = {"Graph", "ServiceGraphPattern", "SubSelect", "ToMultiSet", "values", "ValuesClause"}


def _blocks(node: Any, required: bool, out: list[tuple[bool, list[Any]]]) -> None:
    """Every block of triple patterns of a parsed query, and whether it is required at the top."""
    if isinstance(node, CompValue):
        if node.name in _OPAQUE:
            raise _Global
        if node.name in ("BGP", "TriplesBlock"):
            out.append((required, [tuple(t) for t in node.get("triples", [])]))
            return
        keep = _REQUIRED_CHILDREN.get(node.name, set())
        for key, value in node.items():
            if key in ("_vars", "PV", "datasetClause", "_aggs"):
                continue
            _blocks(value, required and key in keep, out)
    elif isinstance(node, list | tuple):
        for item in node:
            _blocks(item, required, out)


def _pattern_text(term: Any) -> str:
    if isinstance(term, Variable):
        return f"?{term}"
    if isinstance(term, BNode):
        return f"?_b{abs(hash(str(term)))}"
    if isinstance(term, URIRef | Literal):
        return _term(term)
    if hasattr(term, "n3"):
        return term.n3()  # a property path
    raise _Global


def _sparql_seeds(
    store: ox.Store,
    c: Constraint,
    added: list[ox.Triple],
    removed: list[ox.Triple],
    graphs: Sequence[str] | None,
) -> set[Any]:
    """The $this whose SPARQL constraint results can change with the delta (see validate_delta)."""
    from rdflib import Namespace

    prefixes = {p: Namespace(ns) for p, ns in c.extra["prefixes"].items()}
    try:
        parsed = prepareQuery(c.extra["select"], initNs=prefixes)
    except Exception as error:
        raise _Global from error
    blocks: list[tuple[bool, list[Any]]] = []
    _blocks(parsed.algebra, True, blocks)
    required = [t for is_required, block in blocks if is_required for t in block]
    delta = added + removed
    seeds: set[Any] = set()
    for _is_required, block in blocks:
        chain = list(dict.fromkeys(required + block))
        for pattern in block:
            if not all(isinstance(t, Variable | BNode | URIRef | Literal) for t in pattern):
                if any(f"<{t.predicate.value}>" in pattern[1].n3() for t in delta):
                    raise _Global  # a property path the change touches
                continue
            rows = _bindings(pattern, delta)
            if not rows:
                continue
            others = [t for t in chain if t != pattern]
            variables = sorted({name for row in rows for name in row})
            if "this" not in variables and not any(
                isinstance(t, Variable) and str(t) == "this" for p in others for t in p
            ):
                raise _Global
            values_rows = " ".join(
                "("
                + " ".join(str(row[name]) if name in row else "UNDEF" for name in variables)
                + ")"
                for row in rows
            )
            values = f"VALUES ({' '.join('?' + n for n in variables)}) {{ {values_rows} }}"
            body = " ".join(_pattern_or_removed(p, removed) for p in others)
            query = f"SELECT DISTINCT ?this WHERE {{ {values} {body} }}"
            for row in _query(store, query, graphs):
                if row[0] is not None:
                    seeds.add(row[0])
    return seeds


def _bindings(pattern: tuple[Any, ...], delta: list[ox.Triple]) -> list[dict[str, Any]]:
    """The variable bindings of a triple pattern matching each changed triple."""
    rows = []
    for t in delta:
        row: dict[str, Any] = {}
        ok = True
        for term, value in zip(pattern, (t.subject, t.predicate, t.object), strict=True):
            if isinstance(term, Variable | BNode):
                name = str(term) if isinstance(term, Variable) else f"_b{abs(hash(str(term)))}"
                if isinstance(value, ox.BlankNode):
                    raise _Global
                if name in row and row[name] != value:
                    ok = False
                    break
                row[name] = value
            elif str(to_oxigraph(term)) != str(value):
                ok = False
                break
        if ok:
            rows.append(row)
    return rows


def _pattern_or_removed(pattern: tuple[Any, ...], removed: list[ox.Triple]) -> str:
    """A triple pattern matched in the store or among the removed triples."""
    text = " ".join(_pattern_text(t) for t in pattern) + " ."
    if not removed:
        return text
    if not all(isinstance(t, Variable | BNode | URIRef | Literal) for t in pattern):
        raise _Global
    rows = _bindings(pattern, removed)
    if not rows:
        return text
    names = sorted({n for row in rows for n in row})
    if not names:
        return f"{{ {text} }} UNION {{ }}"
    values = " ".join("(" + " ".join(str(row[n]) for n in names) + ")" for row in rows)
    return f"{{ {text} }} UNION {{ VALUES ({' '.join('?' + n for n in names)}) {{ {values} }} }}"


# -- entry points -------------------------------------------------------------------------------


def memory_store(
    source: Graph | Corpus | Iterable[ox.Quad], graph: str = "urn:x-partenariat:data"
) -> ox.Store:
    """An in-memory store of a corpus (one named graph per file) or of a graph (one named graph)."""
    store = ox.Store()
    if isinstance(source, Corpus):
        store.bulk_extend(quads(source.dataset))
    elif isinstance(source, Graph):
        name = ox.NamedNode(graph)
        store.bulk_extend(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)  # type: ignore[arg-type]
            for s, p, o in source
        )
    else:
        store.bulk_extend(source)
    return store


def asserted_graphs(store: ox.Store) -> list[str] | None:
    """The store's named graphs but the build's inferred one (pySHACL never sees inferences),
    or None, the union of all, when there is none: validating a list of graphs is slower."""
    from partenariat.materialise import INFERRED_GRAPH

    names = sorted(name.value for name in store.named_graphs())
    asserted = [name for name in names if name != INFERRED_GRAPH]
    return None if len(asserted) == len(names) else asserted


def validate_store(
    store: ox.Store | Path | str,
    shapes: Graph,
    *,
    namespaces: Graph | Mapping[str, str] | None = None,
    locations: Mapping[URIRef, Location] | None = None,
    workers: int = 1,
    graphs: Sequence[str] | None = None,
) -> ValidationReport:
    """Validate a store (or an on-disk store folder, with `workers` processes) against the shapes."""
    validator = ShaclSparqlValidator(shapes, namespaces, graphs)
    return validator.validate(store, workers=workers, locations=locations)


def validate_corpus(
    corpus: Corpus, shapes: Graph, store: ox.Store | None = None
) -> ValidationReport:
    """validate.validate_corpus's twin: the corpus loaded into an in-memory store, then validated."""
    store = memory_store(corpus) if store is None else store
    return validate_store(store, shapes, namespaces=corpus.union(), locations=corpus.locations)


def validate_delta(
    store: ox.Store | Path | str,
    shapes: Graph,
    added: Iterable[Any] | ox.NamedNode = (),
    removed: Iterable[Any] = (),
    *,
    namespaces: Graph | Mapping[str, str] | None = None,
    graphs: Sequence[str] | None = None,
) -> DeltaReport:
    """Validate what a change (already applied to the store) can affect; see the method's docstring."""
    return ShaclSparqlValidator(shapes, namespaces, graphs).validate_delta(store, added, removed)
