"""Case authoring without Turtle: a YAML template, its JSON Schema, import and export.

A case file of ``data/cases/`` becomes a YAML document with readable sections (``case``,
``actors``, ``schemes``, ``partnerships``, ``funding``, ``figures``, ``passages``,
``objectives``, ``principles``, ``axes``) and a generic ``other`` section for every remaining
node; any statement a readable field cannot carry goes, per node, under ``properties``
(CURIE keys). Export then import gives back the same graph.

The same template can be a spreadsheet, a folder of CSV sheets or an XLSX workbook with one
sheet per section (see the spreadsheet module); it is read into the same document, checked by
the same code, and its errors name the sheet, row and column ("actors.csv line 7, column
type: …").
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from partenariat import corpus as corpus_module
from partenariat.namespaces import PART, PC, PID, PREFIXES, shorten
from partenariat.source_text import locate
from partenariat.validate import validate_graph

SOURCE_TEXT = Path("data") / "source" / "talk-2017.txt"
DEFAULT_SOURCE = URIRef(PID + "talk-2017")
SCHEMA_PATH = Path("schemas") / "case.schema.json"
EXIT_INVALID = 1
EXIT_UNREADABLE = 2

# The controlled lists a readable field takes its values from: scheme -> (file, noun).
VOCABULARIES = {
    "organisation-types": "an organisation type",
    "group-types": "a group type",
    "partnership-roles": "a partnership role",
    "professional-roles": "a professional role",
    "scheme-types": "a scheme type",
    "measures": "a measure",
    "partnership-levels": "a partnership level",
}
VOCABULARY_FILES = ("ontology/vocabularies.ttl", "ontology/framework.ttl")


class AuthoringError(Exception):
    """The template cannot be imported; `messages` holds one line per problem."""

    def __init__(self, messages: list[str], code: int = EXIT_INVALID):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.code = code


# ---------------------------------------------------------------------------
# Controlled vocabularies
# ---------------------------------------------------------------------------


@cache
def _vocabularies_at(root: Path) -> dict[str, tuple[str, ...]]:
    graph = Graph()
    for name in VOCABULARY_FILES:
        corpus_module.parse_turtle(root / name, graph)
    skos_in_scheme = URIRef("http://www.w3.org/2004/02/skos/core#inScheme")
    lists: dict[str, tuple[str, ...]] = {}
    for scheme in VOCABULARIES:
        members = {
            str(concept)[len(PC) :]
            for concept in graph.subjects(skos_in_scheme, URIRef(PC + scheme))
            if str(concept).startswith(PC)
        }
        lists[scheme] = tuple(sorted(members))
    return lists


def vocabularies(root: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The allowed local names (``caf``, ``role-funder``…) of each controlled list, read from the ontology."""
    root = corpus_module.project_root() if root is None else root
    return _vocabularies_at(root.resolve())


# ---------------------------------------------------------------------------
# Fields of the readable sections
# ---------------------------------------------------------------------------

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"


@dataclass(frozen=True)
class Field:
    """A readable YAML key: the predicate it stands for and the kind of its values."""

    key: str
    predicate: str
    kind: str  # ref, fr, en, str, int, num, date, concept:<scheme>
    help: str = ""


def _f(key: str, predicate: str, kind: str, help: str = "") -> Field:
    return Field(key, predicate, kind, help)


LABELS = [
    _f("label", RDFS + "label", "fr", "French label (a string, or a list)"),
    _f("label_en", RDFS + "label", "en", "English label"),
]
COMMENTS = [
    _f("comment", RDFS + "comment", "fr", "editor's comment, French"),
    _f("comment_en", RDFS + "comment", "en", "editor's comment, English"),
]
EVIDENCE = _f("evidence", PART + "evidence", "ref", "ids of the passages that ground the entry")
DATES = [
    _f("year", PART + "year", "date"),
    _f("start", PART + "startDate", "date"),
    _f("end", PART + "endDate", "date"),
    _f("school_year", PART + "schoolYear", "str", 'a school year given alone, "2015-2016"'),
]


@dataclass(frozen=True)
class Section:
    """A readable section: the classes its entries have and their fields."""

    name: str
    classes: tuple[str, ...]  # local names in part:, the first is the default
    fields: tuple[Field, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "actors",
        ("Organisation", "PublicOrganisation", "Group", "Professional", "Recipient", "Person"),
        (
            *LABELS,
            _f("alt_label", SKOS + "altLabel", "fr", "short name (skos:altLabel)"),
            _f("type", PART + "organisationType", "concept:organisation-types"),
            _f("group_type", PART + "groupType", "concept:group-types", "for class Group"),
            _f("professional_role", PART + "professionalRole", "concept:professional-roles"),
            _f("territory", PART + "territory", "ref"),
            _f("member_of", PART + "memberOf", "ref"),
            EVIDENCE,
            *COMMENTS,
        ),
    ),
    Section(
        "schemes",
        ("Scheme", "Project"),
        (
            *LABELS,
            _f("alt_label", SKOS + "altLabel", "fr"),
            _f("type", PART + "schemeType", "concept:scheme-types"),
            _f("programme", PART + "implements", "ref", "the national programme, e.g. programme-pre"),
            _f("part_of", PART + "partOfScheme", "ref"),
            _f("carried_by", PART + "carriedBy", "ref"),
            _f("piloted_by", PART + "pilotedBy", "ref"),
            _f("territory", PART + "territory", "ref"),
            *DATES,
            _f("description", DCTERMS + "description", "fr"),
            _f("target_audience", PART + "targetAudience", "fr"),
            _f("objectives", PART + "hasObjective", "ref"),
            _f("principles", PART + "hasPrinciple", "ref"),
            _f("axes", PART + "hasAxis", "ref"),
            _f("outcome", PART + "outcome", "fr"),
            EVIDENCE,
            *COMMENTS,
        ),
    ),
    Section(
        "partnerships",
        ("Partnership",),
        (
            *LABELS,
            _f("scheme", PART + "inScheme", "ref"),
            _f("partner", PART + "partner", "ref"),
            _f("role", PART + "role", "concept:partnership-roles"),
            _f("contribution", PART + "contribution", "fr"),
            *DATES,
            EVIDENCE,
            *COMMENTS,
        ),
    ),
    Section(
        "funding",
        ("FundingContribution",),
        (
            *LABELS,
            _f("payer", PART + "payer", "ref", "an actor or a scheme"),
            _f("payer_description", PART + "payerDescription", "fr"),
            _f("item", PART + "fundedItem", "fr"),
            _f("share", PART + "share", "fr", '"une partie"'),
            _f("share_ratio", PART + "shareRatio", "num", "0.9 for 90 %"),
            _f("amount", PART + "amount", "amount", "{value: 4000000, currency: EUR}"),
            _f("scheme", PART + "fundedScheme", "ref"),
            _f("beneficiary", PART + "beneficiary", "ref"),
            *DATES,
            EVIDENCE,
            *COMMENTS,
        ),
    ),
    Section(
        "figures",
        ("Figure",),
        (
            *LABELS,
            _f("of", PART + "figureOf", "ref"),
            _f("measure", PART + "measure", "concept:measures"),
            _f("value", PART + "value", "num"),
            _f("min", PART + "minValue", "num"),
            _f("max", PART + "maxValue", "num"),
            _f("numerator", PART + "numerator", "num"),
            _f("denominator", PART + "denominator", "num"),
            _f("unit", PART + "unit", "str", '"habitants", "%"'),
            _f("qualifier", PART + "qualifier", "fr", '"une trentaine"'),
            *DATES,
            EVIDENCE,
            *COMMENTS,
        ),
    ),
    *(
        Section(
            name,
            (cls,),
            (
                *LABELS,
                _f("text", PART + "text", "fr", "verbatim, French"),
                _f("rank", PART + "rank", "int", "order in the source"),
                EVIDENCE,
                *COMMENTS,
            ),
        )
        for name, cls in (("objectives", "Objective"), ("principles", "Principle"), ("axes", "Axis"))
    ),
    Section(
        "passages",
        ("Passage",),
        (
            *LABELS,
            _f("exact", OA + "exact", "str", "verbatim text of data/source/talk-2017.txt"),
            _f("line", PART + "lineNumber", "int", "line where it starts (found when omitted)"),
            _f("case", PART + "inCase", "ref", "default: this case; null for none"),
            _f("source", PART + "inSource", "ref", "default: talk-2017; null for none"),
            *COMMENTS,
        ),
    ),
)

CASE_FIELDS: tuple[Field, ...] = (
    _f("number", PART + "caseNumber", "int", "the box number"),
    _f("title", DCTERMS + "title", "fr", "French title"),
    *LABELS,
    _f("level", PART + "illustratesLevel", "concept:partnership-levels", "only where the source says it"),
    _f("documents", PART + "documents", "ref", "ids of the schemes the case documents"),
    _f("territory", PART + "territory", "ref"),
    *DATES,
    EVIDENCE,
    *COMMENTS,
)

SECTION_BY_CLASS = {PART + cls: section for section in SECTIONS for cls in section.classes}
LIST_KEYS = ("evidence", "documents", "objectives", "principles", "axes")
PASSAGE_DEFAULTS = {"case", "source"}

# ---------------------------------------------------------------------------
# Values: RDF term <-> YAML
# ---------------------------------------------------------------------------

_CURIE = re.compile(r"^([A-Za-z][\w-]*):(\S*)$")
_DATE_TYPES = (
    (re.compile(r"^-?\d{4}$"), XSD.gYear),
    (re.compile(r"^-?\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^-?\d{4}-\d{2}-\d{2}$"), XSD.date),
)


class _NoFit(Exception):
    """A term that a readable field cannot carry (it goes under `properties`)."""


def curie(iri: str) -> str:
    short = shorten(iri)
    return short if short != iri else f"<{iri}>"


def _looks_like_iri(text: str) -> bool:
    if text.startswith("<") and text.endswith(">") and " " not in text:
        return True
    match = _CURIE.match(text)
    return bool(match and match.group(1) in PREFIXES)


def encode_term(term: Node) -> Any:
    """Any RDF term as a lossless YAML value (the `properties` and `other` sections)."""
    if isinstance(term, URIRef):
        return curie(str(term))
    if not isinstance(term, Literal):
        raise _NoFit(str(term))
    text = str(term)
    if term.language:
        return {term.language: text}
    if term.datatype is None:
        return {"value": text} if _looks_like_iri(text) else text
    try:
        return _number(term)
    except _NoFit:
        pass
    if term.datatype == XSD.boolean and text in ("true", "false"):
        return text == "true"
    return {"value": text, "datatype": curie(str(term.datatype))}


def _number(term: Node) -> int | float:
    if isinstance(term, Literal) and term.language is None:
        text = str(term)
        if term.datatype == XSD.integer and re.fullmatch(r"-?[1-9]\d*|0", text):
            return int(text)
        if term.datatype == XSD.decimal:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and repr(number) == text:
                return number
    raise _NoFit(str(term))


def expand_ref(value: str) -> URIRef:
    """``apsa``, ``pid:apsa``, ``pc:caf`` or ``<http://…>`` as an IRI."""
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    match = _CURIE.match(value)
    if match and match.group(1) in PREFIXES:
        return URIRef(PREFIXES[match.group(1)] + match.group(2))
    return URIRef(PID + value)


def decode_term(value: Any) -> Node:
    """The inverse of encode_term; raises ValueError with a reason."""
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(repr(value), datatype=XSD.decimal)
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    if isinstance(value, str):
        return expand_ref(value) if _looks_like_iri(value) else Literal(value)
    if isinstance(value, dict):
        if "value" in value and set(value) <= {"value", "datatype"}:
            datatype = value.get("datatype")
            if datatype is None:
                return Literal(str(value["value"]))
            return Literal(str(value["value"]), datatype=expand_ref(str(datatype)))
        if len(value) == 1:
            ((lang, text),) = value.items()
            if isinstance(text, str) and re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", str(lang)):
                return Literal(text, lang=str(lang))
    raise ValueError(
        f"{value!r} is not an RDF value; write a CURIE (pid:x), a string, a number, "
        "{fr: text} or {value: …, datatype: xsd:…}"
    )


def _encode_field(kind: str, term: Node, vocab: dict[str, tuple[str, ...]]) -> Any:
    if kind == "ref":
        if isinstance(term, URIRef):
            iri = str(term)
            if iri.startswith(PID) and _looks_like_slug(iri[len(PID) :]):
                return iri[len(PID) :]
            return curie(iri)
    elif kind.startswith("concept:"):
        if isinstance(term, URIRef) and str(term).startswith(PC):
            name = str(term)[len(PC) :]
            if name in vocab[kind.split(":", 1)[1]]:
                return name
    elif kind in ("fr", "en"):
        if isinstance(term, Literal) and term.language == kind:
            return str(term)
    elif kind == "str":
        if isinstance(term, Literal) and term.language is None and term.datatype is None:
            return str(term)
    elif kind == "int":
        value = _number(term)
        if isinstance(value, int):
            return value
    elif kind == "num":
        return _number(term)
    elif kind == "date" and isinstance(term, Literal) and term.language is None:
        text = str(term)
        for pattern, datatype in _DATE_TYPES:
            if pattern.match(text) and term.datatype == datatype:
                return text
    raise _NoFit(str(term))


def _looks_like_slug(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][\w.-]*", name)) and not _looks_like_iri(name)


# ---------------------------------------------------------------------------
# Export: a case file as a filled template
# ---------------------------------------------------------------------------


def find_case_file(case_id: str, root: Path | None = None) -> Path:
    """The file of data/cases/ defining a case (``encadre-1``) or named so (``encadre-1-angouleme``)."""
    root = corpus_module.project_root() if root is None else root
    folder = root / "data" / "cases"
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    name = case_id.removeprefix("pid:")
    for path in files:
        if path.stem == name:
            return path
    for path in files:
        graph = corpus_module.parse_turtle(path)
        if (URIRef(PID + name), RDF.type, URIRef(PART + "CaseStudy")) in graph:
            return path
    known = [path.stem for path in files]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise AuthoringError([f"{case_id}: no such case in {folder}{hint}"], EXIT_UNREADABLE)


def _single(values: list[Any], key: str) -> Any:
    if key in LIST_KEYS or len(values) != 1:
        return sorted(values, key=_sort_key)
    return values[0]


def _sort_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _node_entry(
    graph: Graph,
    subject: URIRef,
    fields: Iterable[Field],
    vocab: dict[str, tuple[str, ...]],
    skip: set[tuple[str, Node]] = frozenset(),  # type: ignore[assignment]
    amounts: dict[URIRef, dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Readable fields and leftover properties of one node (rdf:type excluded)."""
    fields = list(fields)
    readable: dict[str, list[Any]] = {}
    properties: dict[str, list[Any]] = {}
    for predicate, obj in sorted(graph.predicate_objects(subject)):
        if predicate == RDF.type or (str(predicate), obj) in skip:
            continue
        placed = False
        for spec in fields:
            if spec.predicate != str(predicate):
                continue
            if spec.kind == "amount":
                if amounts and obj in amounts and "amount" not in readable:
                    readable["amount"] = [amounts[obj]]
                    placed = True
                    break
                continue
            try:
                readable.setdefault(spec.key, []).append(_encode_field(spec.kind, obj, vocab))
            except _NoFit:
                continue
            placed = True
            break
        if not placed:
            properties.setdefault(curie(str(predicate)), []).append(encode_term(obj))
    entry = {
        spec.key: _single(readable[spec.key], spec.key) for spec in fields if spec.key in readable
    }
    return entry, properties


def _properties(properties: dict[str, list[Any]]) -> dict[str, Any]:
    return {key: _single(values, key) for key, values in sorted(properties.items())}


def _amount_id(funding_id: str) -> str:
    return "amount-" + funding_id.removeprefix("funding-")


def export_graph(
    graph: Graph,
    root: Path | None = None,
    file_key: str | None = None,
    order: dict[URIRef, int] | None = None,
) -> dict[str, Any]:
    """A case file's graph as a template document (a dict ready for YAML), entries in `order`."""
    order = order or {}
    vocab = vocabularies(root)
    case_class = URIRef(PART + "CaseStudy")
    cases = sorted(graph.subjects(RDF.type, case_class))
    if len(cases) != 1:
        raise AuthoringError([f"expected one part:CaseStudy in the file, found {len(cases)}"])
    case = cases[0]
    case_id = str(case)[len(PID) :]
    document: dict[str, Any] = {"id": case_id}
    if file_key and file_key != case_id:
        document["file"] = file_key
    # Inline amounts: an Amount node only typed, valued and in a currency, named after its funding.
    amounts: dict[URIRef, dict[str, Any]] = {}
    amount_class = URIRef(PART + "Amount")
    inlined: set[URIRef] = set()
    for funding, amount in graph.subject_objects(URIRef(PART + "amount")):
        if (amount, RDF.type, amount_class) not in graph or not str(funding).startswith(PID):
            continue
        if str(amount) != PID + _amount_id(str(funding)[len(PID) :]):
            continue
        if len(set(graph.subjects(None, amount))) != 1:
            continue
        triples = set(graph.predicate_objects(amount))
        values = [o for p, o in triples if p == URIRef(SCHEMA + "value")]
        currencies = [o for p, o in triples if p == URIRef(SCHEMA + "currency")]
        if len(triples) != 3 or len(values) != 1 or len(currencies) != 1:
            continue
        try:
            number = _number(values[0])
            currency = _encode_field("str", currencies[0], vocab)
        except _NoFit:
            continue
        amounts[amount] = {"value": number, "currency": currency}
        inlined.add(amount)

    entry, properties = _node_entry(graph, case, CASE_FIELDS, vocab)
    document.update(entry)
    if properties:
        document["properties"] = _properties(properties)

    sections: dict[str, list[dict[str, Any]]] = {section.name: [] for section in SECTIONS}
    others: list[dict[str, Any]] = []
    subjects = sorted(
        {s for s in graph.subjects() if s != case and s not in inlined},
        key=lambda s: (order.get(s, 1 << 30), str(s)),  # type: ignore[arg-type]
    )
    for subject in subjects:
        if not isinstance(subject, URIRef) or not str(subject).startswith(PID):
            raise AuthoringError([f"{subject}: only pid: IRIs can be exported"])
        types = list(graph.objects(subject, RDF.type))
        section = SECTION_BY_CLASS.get(str(types[0])) if len(types) == 1 else None
        node_id = str(subject)[len(PID) :]
        if section is None:
            _, properties = _node_entry(graph, subject, (), vocab)
            other: dict[str, Any] = {"id": node_id}
            if types:
                other["class"] = _single(sorted(curie(str(t)) for t in types), "class")
            other["properties"] = _properties(properties)
            others.append(other)
            continue
        skip: set[tuple[str, Node]] = set()
        defaults: dict[str, Any] = {}
        if section.name == "passages":
            for key, predicate, default in (
                ("case", PART + "inCase", case),
                ("source", PART + "inSource", DEFAULT_SOURCE),
            ):
                present = list(graph.objects(subject, URIRef(predicate)))
                if present == [default]:
                    skip.add((predicate, default))
                elif not present:
                    defaults[key] = None
        fields = _fields_for(section, str(types[0]))
        entry, properties = _node_entry(graph, subject, fields, vocab, skip, amounts)
        item: dict[str, Any] = {"id": node_id}
        if len(section.classes) > 1:
            item["class"] = str(types[0])[len(PART) :]
        item.update(entry)
        item.update(defaults)
        if properties:
            item["properties"] = _properties(properties)
        sections[section.name].append(item)
    for name, items in sections.items():
        document[name] = items
    document["other"] = others
    return document


def _fields_for(section: Section, class_iri: str) -> tuple[Field, ...]:
    return section.fields


def export_case(case_id: str, root: Path | None = None, fmt: str = "yaml", out: Path | None = None) -> str:
    """An existing case as a filled YAML template, or (fmt csv/xlsx) a spreadsheet written to `out`."""
    path = find_case_file(case_id, root)
    graph = corpus_module.parse_turtle(path)
    document = export_graph(graph, root, path.stem, corpus_module.subject_lines(path, graph))
    if fmt in ("csv", "xlsx"):
        from partenariat import spreadsheet

        if out is None:
            raise AuthoringError([f"the {fmt} form is written to a file or folder; give it with --out"], EXIT_UNREADABLE)
        spreadsheet.write_template(Path(out), spreadsheet.template_to_rows(document), fmt, root)
        return str(out)
    if fmt != "yaml":
        raise AuthoringError([f"{fmt!r} is not a format; write yaml, csv or xlsx"], EXIT_UNREADABLE)
    header = (
        f"# Case exported from {path.name} by `partenariat export-case`.\n"
        "# Edit, then `partenariat import FILE.yaml --force`. Schema: schemas/case.schema.json\n"
    )
    return header + dump_yaml(document)


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------------
# Import: a filled template as a graph, checked, then a Turtle file
# ---------------------------------------------------------------------------


@dataclass
class _Builder:
    name: str
    vocab: dict[str, tuple[str, ...]]
    graph: Graph = field(default_factory=Graph)
    errors: list[str] = field(default_factory=list)
    references: list[tuple[str, str, URIRef]] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.name}: {where}: {message}")

    def values(self, where: str, raw: Any) -> list[Any]:
        if raw is None:
            return []
        return list(raw) if isinstance(raw, list) else [raw]

    def add_field(self, subject: URIRef, spec: Field, raw: Any, where: str) -> None:
        for index, value in enumerate(self.values(where, raw)):
            place = f"{where}.{spec.key}" + (f"[{index}]" if isinstance(raw, list) else "")
            term = self.decode(spec, value, place, subject)
            if term is not None:
                self.graph.add((subject, URIRef(spec.predicate), term))

    def decode(self, spec: Field, value: Any, place: str, subject: URIRef) -> Node | None:
        kind = spec.kind
        if kind == "ref":
            if not isinstance(value, str) or not value.strip():
                self.error(place, f"{value!r} is not an id; write the id of an entry, e.g. 'apsa'")
                return None
            iri = expand_ref(value.strip())
            self.references.append((place, value, iri))
            return iri
        if kind.startswith("concept:"):
            scheme = kind.split(":", 1)[1]
            allowed = self.vocab[scheme]
            name = str(value).removeprefix("pc:") if isinstance(value, str) else value
            if name not in allowed:
                close = difflib.get_close_matches(
                    str(name).lower(), [a.lower() for a in allowed], n=1, cutoff=0.5
                )
                hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(allowed)}"
                self.error(place, f"{value!r} is not {VOCABULARIES[scheme]}; {hint}")
                return None
            return URIRef(PC + name)
        if kind in ("fr", "en", "str"):
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.error(place, f"{value!r} is not text; write a string")
                return None
            return Literal(str(value), lang=None if kind == "str" else kind)
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(place, f"{value!r} is not an integer")
                return None
            return Literal(str(value), datatype=XSD.integer)
        if kind == "num":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.error(place, f"{value!r} is not a number; write e.g. 190000 or 0.35")
                return None
            return decode_term(value)
        if kind == "date":
            text = value.isoformat() if isinstance(value, date) else str(value)
            for pattern, datatype in _DATE_TYPES:
                if pattern.match(text):
                    return Literal(text, datatype=datatype)
            self.error(place, f"{value!r} is not a date; write 2009, 2009-05 or 2009-05-12")
            return None
        if kind == "amount":
            if not isinstance(value, dict) or "value" not in value or "currency" not in value:
                self.error(place, f"{value!r}: write {{value: 4000000, currency: EUR}}")
                return None
            amount = URIRef(PID + _amount_id(str(subject)[len(PID) :]))
            number = self.decode(Field("value", SCHEMA + "value", "num"), value["value"], place + ".value", amount)
            if number is None:
                return None
            self.graph.add((amount, RDF.type, URIRef(PART + "Amount")))
            self.graph.add((amount, URIRef(SCHEMA + "value"), number))
            self.graph.add((amount, URIRef(SCHEMA + "currency"), Literal(str(value["currency"]))))
            return amount
        raise AssertionError(kind)

    def add_properties(self, subject: URIRef, raw: Any, where: str) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.error(f"{where}.properties", "write a mapping of CURIE keys (part:x) to values")
            return
        for key, values in raw.items():
            place = f"{where}.properties.{key}"
            if not isinstance(key, str) or not _looks_like_iri(key):
                self.error(place, f"{key!r} is not a CURIE with a known prefix ({', '.join(PREFIXES)})")
                continue
            predicate = expand_ref(key)
            for value in self.values(place, values):
                try:
                    term = decode_term(value)
                except ValueError as error:
                    self.error(place, str(error))
                    continue
                if isinstance(term, URIRef) and str(term).startswith(PID):
                    self.references.append((place, str(value), term))
                self.graph.add((subject, predicate, term))


def _subject(builder: _Builder, raw: Any, where: str, seen: dict[URIRef, str]) -> URIRef | None:
    if not isinstance(raw, str) or not _looks_like_slug(raw.removeprefix("pid:")):
        builder.error(f"{where}.id", f"{raw!r} is not an id; write a lower-case slug such as 'caf-arras'")
        return None
    subject = URIRef(PID + raw.removeprefix("pid:"))
    if subject in seen:
        builder.error(f"{where}.id", f"'{raw}' is already the id of {seen[subject]}; ids are unique")
        return None
    seen[subject] = where
    return subject


def _check_keys(builder: _Builder, entry: dict, allowed: Iterable[str], where: str) -> None:
    allowed = list(allowed)
    for key in entry:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(allowed)}"
            builder.error(f"{where}.{key}", f"unknown field; {hint}")


def build_graph(document: Any, name: str, root: Path | None = None) -> tuple[Graph, list[str], list[tuple[str, str, URIRef]]]:
    """The graph a template describes, the errors found, and its references to check."""
    builder = _Builder(name, vocabularies(root))
    graph = builder.graph
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if not isinstance(document, dict):
        builder.errors.append(f"{name}: the template is not a YAML mapping (id, title, actors…)")
        return graph, builder.errors, []
    top_keys = ["id", "file", "properties", *(f.key for f in CASE_FIELDS)]
    top_keys += [s.name for s in SECTIONS] + ["other"]
    _check_keys(builder, document, dict.fromkeys(top_keys), "case")
    seen: dict[URIRef, str] = {}
    case = _subject(builder, document.get("id"), "case", seen)
    if case is not None:
        graph.add((case, RDF.type, URIRef(PART + "CaseStudy")))
        for spec in CASE_FIELDS:
            if spec.key in document:
                builder.add_field(case, spec, document[spec.key], "case")
        builder.add_properties(case, document.get("properties"), "case")
        for key in ("number", "title", "evidence"):
            if document.get(key) in (None, "", []):
                builder.error(f"case.{key}", f"missing; {_help(key)}")
    for section in SECTIONS:
        items = document.get(section.name) or []
        if not isinstance(items, list):
            builder.error(section.name, "write a list of entries (- id: …)")
            continue
        keys = ["id", "class", "properties", *(f.key for f in section.fields)]
        for index, entry in enumerate(items):
            where = f"{section.name}[{index}]"
            if not isinstance(entry, dict):
                builder.error(where, "write a mapping (id: …, label: …)")
                continue
            _check_keys(builder, entry, dict.fromkeys(keys), where)
            subject = _subject(builder, entry.get("id"), where, seen)
            if subject is None:
                continue
            cls = entry.get("class") or section.classes[0]
            cls = str(cls).removeprefix("part:")
            if cls not in section.classes:
                close = difflib.get_close_matches(cls, section.classes, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(section.classes)}"
                builder.error(f"{where}.class", f"{entry.get('class')!r} is not a class of {section.name}; {hint}")
                continue
            graph.add((subject, RDF.type, URIRef(PART + cls)))
            entry = dict(entry)
            if section.name == "passages" and case is not None:
                entry.setdefault("case", "pid:" + str(case)[len(PID) :])
                entry.setdefault("source", "pid:talk-2017")
            for spec in _fields_for(section, PART + cls):
                if spec.key in entry:
                    builder.add_field(subject, spec, entry[spec.key], where)
            builder.add_properties(subject, entry.get("properties"), where)
            if section.name == "passages":
                _check_passage(builder, entry, subject, where, root)
            elif not entry.get("evidence") and "part:evidence" not in (entry.get("properties") or {}):
                builder.error(f"{where}.evidence", "missing; list the ids of the passages that ground this entry")
    others = document.get("other") or []
    if not isinstance(others, list):
        builder.error("other", "write a list of entries (- id: …, class: …, properties: …)")
        others = []
    for index, entry in enumerate(others):
        where = f"other[{index}]"
        if not isinstance(entry, dict):
            builder.error(where, "write a mapping (id, class, properties)")
            continue
        _check_keys(builder, entry, ("id", "class", "properties"), where)
        subject = _subject(builder, entry.get("id"), where, seen)
        if subject is None:
            continue
        for value in builder.values(where, entry.get("class")):
            if not isinstance(value, str) or not _looks_like_iri(value):
                builder.error(f"{where}.class", f"{value!r} is not a CURIE such as part:Charter")
                continue
            graph.add((subject, RDF.type, expand_ref(value)))
        builder.add_properties(subject, entry.get("properties"), where)
    return graph, builder.errors, builder.references


def _help(key: str) -> str:
    for spec in CASE_FIELDS:
        if spec.key == key and spec.help:
            return spec.help
    return "fill it in"


def _check_passage(builder: _Builder, entry: dict, subject: URIRef, where: str, root: Path | None) -> None:
    exact = entry.get("exact")
    if not isinstance(exact, str) or not exact.strip():
        builder.error(f"{where}.exact", "missing; copy the words of the source that ground the statements")
        return
    root = corpus_module.project_root() if root is None else root
    source = root / SOURCE_TEXT
    try:
        line = locate(exact, source)
    except OSError as error:
        builder.error(f"{where}.exact", f"cannot read {source} ({error})")
        return
    if line is None:
        builder.error(
            f"{where}.exact",
            f"not found in {SOURCE_TEXT}; copy the text verbatim (keep ’ « » and the source's spelling)",
        )
        return
    if "line" not in entry:
        builder.graph.add((subject, URIRef(PART + "lineNumber"), Literal(str(line), datatype=XSD.integer)))


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthoringError([f"{path}: no such file"], EXIT_UNREADABLE) from None
    except (OSError, UnicodeDecodeError) as error:
        raise AuthoringError([f"{path}: cannot be read ({error})"], EXIT_UNREADABLE) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if mark is not None:
            message = f"{path}:{mark.line + 1}:{mark.column + 1}: YAML syntax error: {problem}"
        else:
            message = f"{path}: YAML syntax error: {problem}"
        raise AuthoringError([message], EXIT_UNREADABLE) from None


@dataclass
class ImportResult:
    path: Path
    triples: int
    case: str


def import_case(path: Path, root: Path | None = None, force: bool = False) -> ImportResult:
    """Check a filled template and write it as data/cases/<file>.ttl; AuthoringError otherwise."""
    root = corpus_module.project_root() if root is None else root
    from partenariat import spreadsheet

    provenance: spreadsheet.SheetProvenance | None = None
    if spreadsheet.is_spreadsheet(Path(path)):
        document, provenance = spreadsheet.read_template(Path(path))
    else:
        document = _load_yaml(path)
    name = str(path)
    schema_errors = schema_messages(document, name, root)
    graph, errors, references = build_graph(document, name, root)
    errors = schema_errors + [e for e in errors if e not in schema_errors]
    key = document.get("file") or document.get("id") if isinstance(document, dict) else None
    if isinstance(key, str) and not _looks_like_slug(key):
        errors.append(f"{name}: file: {key!r} is not a file name; write a slug such as 'encadre-7-arras'")
        key = None
    target = root / "data" / "cases" / f"{key}.ttl" if isinstance(key, str) else None
    if target is not None and target.exists() and not force:
        errors.append(f"{name}: {target} already exists; pass --force to overwrite it")
    files = [f for f in corpus_module.model_files(root) if target is None or f.resolve() != target.resolve()]
    try:
        corpus = corpus_module.load(files, root)
    except corpus_module.CorpusError as error:
        raise AuthoringError([str(error)], EXIT_UNREADABLE) from None
    union = corpus.union()
    known = set(graph.subjects(RDF.type, None)) | set(union.subjects(RDF.type, None))
    known_ids = sorted({str(s)[len(PID) :] for s in known if str(s).startswith(PID)})
    for place, value, iri in references:
        if iri in known or not str(iri).startswith(PID):
            continue
        close = difflib.get_close_matches(str(iri)[len(PID) :], known_ids, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "define it in this file (actors, schemes…) first"
        errors.append(f"{name}: {place}: '{value}' is not defined here or in the corpus; {hint}")
    if errors:
        raise AuthoringError(provenance.rewrite(errors, name) if provenance else errors)
    combined = Graph()
    for prefix, namespace in union.namespaces():
        combined.bind(prefix, namespace)
    for triple in union:
        combined.add(triple)
    for triple in graph:
        combined.add(triple)
    shapes = corpus_module.load_shapes(root)
    report = validate_graph(combined, shapes, corpus.locations)
    if not report.conforms:
        raise AuthoringError([f"{name}: the case breaks the shapes:", report.as_text("en")])
    assert target is not None
    write_atomically(target, graph.serialize(format="turtle"))
    return ImportResult(target, len(graph), str(document["id"]))


def write_atomically(target: Path, text: str) -> None:
    """Write a file through a temporary sibling and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# JSON Schema and the empty template
# ---------------------------------------------------------------------------

_STRINGS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


def _field_schema(spec: Field, vocab: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    kind = spec.kind
    if kind.startswith("concept:"):
        one: dict[str, Any] = {"type": "string", "enum": list(vocab[kind.split(":", 1)[1]])}
    elif kind == "int":
        one = {"type": "integer"}
    elif kind == "num":
        one = {"type": "number"}
    elif kind == "date":
        one = {"type": ["string", "integer"], "pattern": r"^-?\d{4}(-\d{2}(-\d{2})?)?$"}
    elif kind == "amount":
        one = {
            "type": "object",
            "required": ["value", "currency"],
            "additionalProperties": False,
            "properties": {"value": {"type": "number"}, "currency": {"type": "string"}},
        }
    else:
        one = {"type": "string"}
    if spec.key in PASSAGE_DEFAULTS:
        one = {"type": ["string", "null"]}
    schema: dict[str, Any] = {"anyOf": [one, {"type": "array", "items": one}, {"type": "null"}]}
    if spec.help:
        schema["description"] = spec.help
    return schema


def json_schema(root: Path | None = None) -> dict[str, Any]:
    """The JSON Schema of the case template, with the ontology's lists as enums."""
    vocab = vocabularies(root)
    properties_schema = {
        "type": "object",
        "description": "other statements: CURIE keys (part:x), values as CURIEs, strings, numbers, {fr: text} or {value, datatype}",
        "propertyNames": {"pattern": r"^[A-Za-z][\w-]*:\S*$"},
    }
    id_schema = {"type": "string", "pattern": r"^(pid:)?[A-Za-z0-9][\w.-]*$"}
    definitions: dict[str, Any] = {}
    for section in SECTIONS:
        props: dict[str, Any] = {"id": id_schema}
        if len(section.classes) > 1:
            props["class"] = {"type": "string", "enum": list(section.classes)}
        for spec in section.fields:
            props[spec.key] = _field_schema(spec, vocab)
        props["properties"] = properties_schema
        definitions[section.name] = {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": props,
        }
    definitions["other"] = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {"id": id_schema, "class": _STRINGS, "properties": properties_schema},
    }
    top: dict[str, Any] = {
        "id": {**id_schema, "description": "the case id, e.g. encadre-7"},
        "file": {"type": "string", "description": "file name under data/cases/ (default: the id)"},
    }
    for spec in CASE_FIELDS:
        top[spec.key] = _field_schema(spec, vocab)
    top["properties"] = properties_schema
    for name in [s.name for s in SECTIONS] + ["other"]:
        top[name] = {"type": ["array", "null"], "items": {"$ref": f"#/$defs/{name}"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/partenariat/schemas/case.schema.json",
        "title": "partenariat case template",
        "description": "A documented case (Encadré) as YAML; `partenariat import` turns it into Turtle.",
        "type": "object",
        "required": ["id", "number", "title"],
        "additionalProperties": False,
        "properties": top,
        "$defs": definitions,
    }


def schema_text(root: Path | None = None) -> str:
    return json.dumps(json_schema(root), ensure_ascii=False, indent=2) + "\n"


def schema_messages(document: Any, name: str, root: Path | None = None) -> list[str]:
    """Structural errors of the JSON Schema (wrong types, unknown keys); enum errors are left to the importer."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema(root))
    messages = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        leaves = [error]
        if error.validator in ("oneOf", "anyOf") and error.context:
            leaves = [min(error.context, key=lambda e: (e.validator == "type", len(e.path)))]
        if any(e.validator in ("enum", "additionalProperties", "required") for e in leaves):
            continue  # reported with a suggestion by build_graph
        where = _json_path(error.absolute_path)
        messages.append(f"{name}: {where}: {leaves[0].message}")
    return messages


def _json_path(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    if not text or text[0] == "[":
        return "case" + text
    first = text.split(".")[0].split("[")[0]
    return text if first in {s.name for s in SECTIONS} | {"other"} else "case." + text


def new_template(case_id: str, root: Path | None = None) -> str:
    """An empty template with comments listing the allowed values."""
    vocab = vocabularies(root)

    def allowed(scheme: str) -> str:
        words = list(vocab[scheme])
        lines, line = [], "#     "
        for word in words:
            if len(line) + len(word) > 96:
                lines.append(line.rstrip())
                line = "#     "
            line += word + ", "
        lines.append(line.rstrip(", "))
        return "\n".join(lines)

    slug = case_id.removeprefix("pid:")
    return f"""# A documented case for partenariat. Fill it in, then: partenariat import {slug}.yaml
# Schema: schemas/case.schema.json (editors with YAML support complete and check the fields).
# Ids are lower-case slugs (docs/modelling.md); a field takes one value or a list.
# Every entry lists under `evidence` the ids of the passages that ground it.
id: {slug}
file: {slug}          # written as data/cases/<file>.ttl
number:               # the box number (integer)
title:                # French title of the box
label:                # French label, e.g. "Encadré 7 : …"
label_en:
# level: only where the source states it; one of
{allowed("partnership-levels")}
level:
documents: []         # ids of the schemes the case documents
territory:            # e.g. commune-angouleme
year:                 # 2009, 2009-05 or 2009-05-12
evidence: []

actors: []
# - id: caf-arras
#   class: PublicOrganisation   # Organisation, PublicOrganisation, Group, Professional, Recipient, Person
#   label: CAF d’Arras
#   type: caf                   # organisation types:
{allowed("organisation-types")}
#   group_type: families        # for class Group; group types:
{allowed("group-types")}
#   territory: commune-arras
#   evidence: [passage-e7-caf]

schemes: []
# - id: pre-arras
#   label: PRE d’Arras
#   type: pre                   # scheme types:
{allowed("scheme-types")}
#   programme: programme-pre
#   territory: commune-arras
#   year: "2015"
#   evidence: [passage-e7-title]

partnerships: []
# - id: partnership-pre-arras-caf-arras
#   scheme: pre-arras
#   partner: caf-arras
#   role: role-funder           # partnership roles:
{allowed("partnership-roles")}
#   contribution: finance le PRE
#   evidence: [passage-e7-caf]

funding: []
# - id: funding-pre-arras-operation-caf-arras
#   payer: caf-arras
#   item: fonctionnement du PRE
#   share: une partie           # or share_ratio: 0.9
#   amount: {{value: 40000, currency: EUR}}
#   scheme: pre-arras
#   beneficiary: pre-arras
#   evidence: [passage-e7-caf]

figures: []
# - id: figure-arras-population
#   of: commune-arras
#   measure: measure-population # measures:
{allowed("measures")}
#   value: 40000                # or min/max, numerator/denominator
#   unit: habitants
#   qualifier: environ
#   evidence: [passage-e7-figures]

passages: []
# - id: passage-e7-title
#   label: Encadré 7, passage : titre
#   exact: "…"                  # verbatim text of data/source/talk-2017.txt
#   line: 300                   # optional: found in the source when omitted

objectives: []
# - id: objective-pre-arras-1
#   text: "…"
#   rank: 1
#   evidence: [passage-e7-objective]
principles: []
axes: []

# Any other node: id, class (CURIE) and properties (CURIE keys).
other: []
# - id: charter-arras
#   class: part:Charter
#   properties:
#     rdfs:label: {{fr: Charte d’Arras}}
#     part:evidence: pid:passage-e7-charter
"""
