"""KnowledgeGraph: the graph in its embedded store, with typed lookups and catalogue queries."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from partenariat import catalogue, store
from partenariat.build import default_store
from partenariat.corpus import CorpusError, project_root
from partenariat.namespaces import PART, PC, PID, PREFIXES, expand

Row = dict[str, Any]
SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


class LookupError_(LookupError):
    """No node of the graph has that identifier; the message names it."""


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """An RDF term as a plain Python value: IRIs as str, numbers as int or float, else text.

    >>> python_value(ox.Literal("13", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    13
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in {"integer", "int", "long", "positiveInteger", "nonNegativeInteger"}:
            return int(term.value)
        if datatype in {"decimal", "double", "float"}:
            return float(term.value)
        if datatype == "boolean":
            return term.value == "true"
        return term.value
    return term.value


def solution_rows(solutions: ox.QuerySolutions) -> list[Row]:
    """SELECT solutions as rows of plain Python values, one dict per solution.

    A solution iterates over its values in the order of the variables (None where
    unbound): three times faster than looking each value up by name (0.5 s against 1.8 s
    for the 74,000 rows of territory-hierarchy on the national synthetic graph).
    """
    names = [variable.value for variable in solutions.variables]
    return [dict(zip(names, map(python_value, solution), strict=True)) for solution in solutions]


@dataclass(frozen=True)
class Case:
    """A documented case (Encadré)."""

    iri: str
    number: int
    title: str
    label: str
    level: str | None
    territory: str | None


@dataclass(frozen=True)
class Actor:
    """An actor: organisation, group, governance body or person (recipients excluded)."""

    iri: str
    label: str
    kind: str
    types: tuple[str, ...]
    cases: tuple[int, ...]


@dataclass(frozen=True)
class Scheme:
    """A scheme, programme or project."""

    iri: str
    label: str
    kind: str
    types: tuple[str, ...]
    programme: str | None
    cases: tuple[int, ...]


@dataclass(frozen=True)
class Participation:
    """An actor's part in a scheme: role, contribution and case."""

    actor: str
    actor_label: str
    scheme: str
    scheme_label: str
    role: str
    contribution: str | None
    case: int | None


@dataclass(frozen=True)
class Concept:
    """A concept of a scheme, with its label and definition in one language."""

    iri: str
    label: str
    definition: str
    scheme: str


@dataclass(frozen=True)
class Evidence:
    """A verbatim passage that supports a node, or a margin comment about it."""

    kind: str
    text: str
    line: int | None
    case: int | None
    source: str


def _tuple(value: str | None, cast=str) -> tuple:
    """A GROUP_CONCAT value split into a sorted tuple."""
    if not value:
        return ()
    return tuple(sorted({cast(v) for v in value.split("|") if v}))


class KnowledgeGraph:
    """The built graph, read-only: the default store (build/store), a store folder, or one
    RDF file (loaded in memory); `from_files` loads several.

    >>> kg.case(1).level
    'https://w3id.org/partenariat/concept/level-minimal'
    """

    def __init__(self, path: Path | str | None = None, lang: str = "fr") -> None:
        self.lang = lang
        location = Path(path) if path else default_store(project_root())
        self.path = location
        if location.is_file():
            self.store = ox.Store()
            _load_file(self.store, location)
        else:
            self.store = _in_memory_if_small(store.open_store(location))

    @classmethod
    def from_files(cls, *paths: Path | str, lang: str = "fr") -> KnowledgeGraph:
        """A graph held in memory from RDF files (any format pyoxigraph reads by extension)."""
        graph = cls.__new__(cls)
        graph.lang = lang
        graph.path = Path(paths[0]) if paths else Path()
        graph.store = ox.Store()
        for path in paths:
            _load_file(graph.store, Path(path))
        return graph

    # -- queries -------------------------------------------------------------------

    def select(self, sparql: str) -> list[Row]:
        """Run a SELECT over the union of the named graphs; rows of plain Python values."""
        return solution_rows(self.store.query(sparql, use_default_graph_as_union=True))

    def query(self, name_or_sparql: str, **params: str) -> list[Row]:
        """Run a catalogue query by name (with its parameters) or a SPARQL SELECT text.

        >>> [row["levelLabel"] for row in kg.query("cq01-partnership-levels", lang="en")][:3]
        ['minimal', 'intermediate', 'maximal']
        """
        if any(char.isspace() for char in name_or_sparql.strip()):
            return self.select(name_or_sparql)
        entry = catalogue.resolve(name_or_sparql)
        return self.select(catalogue.bound_text(entry, params))

    def _text(self, subject: str, prop: str, var: str) -> str:
        """SPARQL binding var to subject's prop in the graph's language, else in another
        language (French and English labels fall back on each other), else unbound."""
        wanted, other = f"{var}Wanted", f"{var}Other"
        return (
            f"OPTIONAL {{ {subject} {prop} {wanted} FILTER(LANG({wanted}) = \"{self.lang}\") }} "
            f"OPTIONAL {{ {subject} {prop} {other} FILTER(LANG({other}) != \"{self.lang}\") }} "
            f"BIND(COALESCE({wanted}, {other}) AS {var})"
        )

    # -- typed lookups ---------------------------------------------------------------

    def cases(self) -> list[Case]:
        """The documented cases, in the source's order.

        >>> [(c.number, c.level and c.level.rsplit("/", 1)[1]) for c in kg.cases()][:4]
        [(1, 'level-minimal'), (2, 'level-intermediate'), (3, 'level-maximal'), (4, None)]
        """
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT ?case ?number ?title ?label ?level ?territory WHERE {{
              ?case a part:CaseStudy ; part:caseNumber ?number ; dcterms:title ?title .
              {self._text("?case", "rdfs:label", "?label")}
              OPTIONAL {{ ?case part:illustratesLevel ?level }}
              OPTIONAL {{ ?case part:territory ?territory }}
            }} ORDER BY ?number"""
        )
        return [
            Case(r["case"], r["number"], r["title"], r["label"] or r["title"], r["level"], r["territory"])
            for r in rows
        ]

    def case(self, identifier: int | str) -> Case:
        """One case by number (1 to 6) or identifier (`encadre-1`, `pid:encadre-1`, IRI)."""
        iri = PID + f"encadre-{identifier}" if isinstance(identifier, int) else expand(identifier)
        for found in self.cases():
            if found.iri == iri:
                return found
        raise LookupError_(f"{identifier}: no such case (there are {len(self.cases())})")

    def actors(self, type: str | None = None) -> list[Actor]:
        """The actors taking part in schemes (recipients excluded), optionally of one
        organisation, group or professional type (`caf`, `pc:ccas`, an IRI).

        >>> sorted(a.label for a in kg.actors(type="caf"))
        ['CAF (Valenciennes Métropole)', 'CAF (agglomération de Saint-Omer)', 'CAF du Pas-de-Calais']
        """
        wanted = ""
        if type is not None:
            concept = expand(type, PC)
            wanted = f"?actor part:organisationType|part:groupType|part:professionalRole <{concept}> ."
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT ?actor ?label ?kind (GROUP_CONCAT(DISTINCT STR(?type); separator="|") AS ?types)
                   (GROUP_CONCAT(DISTINCT STR(?n); separator="|") AS ?cases) WHERE {{
              ?p part:partner ?actor .
              {wanted}
              FILTER NOT EXISTS {{ ?actor a part:Recipient }}
              ?actor a ?kind . FILTER(STRSTARTS(STR(?kind), STR(part:)))
              FILTER NOT EXISTS {{ ?actor a ?sub . ?sub rdfs:subClassOf ?kind FILTER(?sub != ?kind) }}
              {self._text("?actor", "rdfs:label", "?label")}
              OPTIONAL {{ ?actor part:organisationType|part:groupType|part:professionalRole ?type }}
              OPTIONAL {{ ?p part:evidence/part:inCase/part:caseNumber ?n }}
            }} GROUP BY ?actor ?label ?kind ORDER BY ?label"""
        )
        return [
            Actor(r["actor"], r["label"] or r["actor"], r["kind"].rsplit("#", 1)[1],
                  _tuple(r["types"]), _tuple(r["cases"], int))
            for r in rows
        ]

    def actor(self, identifier: str) -> Actor:
        """One actor by identifier (`apsa`, `pid:apsa`, IRI).

        >>> kg.actor("apsa").cases
        (1,)
        """
        iri = expand(identifier)
        for found in self.actors():
            if found.iri == iri:
                return found
        raise LookupError_(f"{identifier}: no such actor (or it takes part in no scheme)")

    def schemes(self) -> list[Scheme]:
        """Every scheme, programme and project, with its types, programme and cases."""
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT ?scheme ?label ?kind (GROUP_CONCAT(DISTINCT STR(?type); separator="|") AS ?types)
                   (SAMPLE(?programme) AS ?programme)
                   (GROUP_CONCAT(DISTINCT STR(?n); separator="|") AS ?cases) WHERE {{
              VALUES ?kind {{ part:Scheme part:Programme part:Project }}
              ?scheme a ?kind .
              FILTER NOT EXISTS {{ ?scheme a ?sub . ?sub rdfs:subClassOf ?kind FILTER(?sub != ?kind) }}
              {self._text("?scheme", "rdfs:label", "?label")}
              OPTIONAL {{ ?scheme part:schemeType ?type }}
              OPTIONAL {{ ?scheme part:implements ?programme }}
              OPTIONAL {{ ?scheme part:evidence/part:inCase/part:caseNumber ?n }}
            }} GROUP BY ?scheme ?label ?kind ORDER BY ?label"""
        )
        return [
            Scheme(r["scheme"], r["label"] or r["scheme"], r["kind"].rsplit("#", 1)[1],
                   _tuple(r["types"]), r["programme"], _tuple(r["cases"], int))
            for r in rows
        ]

    def _participations(self, where: str) -> list[Participation]:
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT ?actor ?actorLabel ?scheme ?schemeLabel ?roleLabel ?contribution ?n WHERE {{
              ?p a part:Partnership ; part:partner ?actor ; part:inScheme ?scheme ; part:role ?role .
              {where}
              FILTER NOT EXISTS {{ ?actor a part:Recipient }}
              {self._text("?actor", "rdfs:label", "?actorLabel")}
              {self._text("?scheme", "rdfs:label", "?schemeLabel")}
              {self._text("?role", "skos:prefLabel", "?roleLabel")}
              OPTIONAL {{ ?p part:contribution ?contribution }}
              OPTIONAL {{ ?p part:evidence/part:inCase/part:caseNumber ?n }}
            }} ORDER BY ?actorLabel ?schemeLabel ?roleLabel"""
        )
        seen: dict[tuple, Participation] = {}
        for r in rows:
            item = Participation(r["actor"], r["actorLabel"] or r["actor"], r["scheme"],
                                 r["schemeLabel"] or r["scheme"], r["roleLabel"] or "",
                                 r["contribution"], r["n"])
            seen.setdefault((item.actor, item.scheme, item.role), item)
        return list(seen.values())

    def partners_of(self, scheme: str) -> list[Participation]:
        """The partners of a scheme, with their roles (recipients left out).

        >>> sorted({p.role for p in kg.partners_of("pre-angouleme")})
        ['prescripteur']
        """
        return self._participations(f"FILTER(?scheme = <{expand(scheme)}>)")

    def schemes_of(self, actor: str) -> list[Participation]:
        """The schemes an actor takes part in, with its roles."""
        return self._participations(f"FILTER(?actor = <{expand(actor)}>)")

    def coding(self, case: int | str) -> list[Concept]:
        """The framework concepts the source attaches to a case: its partnership level and
        the concepts its margin comments name.

        >>> sorted(c.iri.rsplit("/", 1)[1] for c in kg.coding(1))
        ['additive-ontology', 'level-minimal', 'regime-of-peace']
        """
        iri = self.case(case).iri
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT DISTINCT ?concept ?label ?definition ?scheme WHERE {{
              {{ <{iri}> part:illustratesLevel ?concept }}
              UNION {{ <{iri}> part:codedAs ?concept }}
              UNION {{ ?comment part:aboutCase <{iri}> ; <http://www.w3.org/ns/oa#hasBody> ?concept }}
              ?concept skos:inScheme ?scheme .
              {self._text("?concept", "skos:prefLabel", "?label")}
              {self._text("?concept", "skos:definition", "?definition")}
            }} ORDER BY ?scheme ?concept"""
        )
        return [Concept(r["concept"], r["label"] or "", r["definition"] or "", r["scheme"]) for r in rows]

    def evidence(self, subject: str, predicate: str | None = None) -> list[Evidence]:
        """The passages that support a node's statements, and the margin comments that
        target those passages or the node. Evidence is recorded per node, so `predicate`
        only checks that the node does state something with that predicate.

        >>> [e.text for e in kg.evidence("funding-pathway-f-fishing-card-pre")]
        ['Le PRE propose aussi de prendre en charge l’achat de la carte de pêche']
        """
        iri = expand(subject)
        if predicate is not None:
            pred = expand(predicate, PART)
            if not self.select(f"SELECT ?o WHERE {{ <{iri}> <{pred}> ?o }} LIMIT 1"):
                raise LookupError_(f"{subject} states nothing with {predicate}")
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT DISTINCT ?kind ?text ?line ?n ?source WHERE {{
              {{
                <{iri}> part:evidence ?source . ?source oa:exact ?text ; part:lineNumber ?line .
                OPTIONAL {{ ?source part:inCase/part:caseNumber ?n }}
                BIND("passage" AS ?kind)
              }} UNION {{
                {{ ?source oa:hasTarget <{iri}> }} UNION {{ <{iri}> part:evidence ?p . ?source oa:hasTarget ?p }}
                ?source a part:MarginComment ; oa:bodyValue ?text .
                OPTIONAL {{ ?source part:aboutCase/part:caseNumber ?n }}
                BIND("comment" AS ?kind)
              }}
            }} ORDER BY DESC(?kind) ?line"""
        )
        return [Evidence(r["kind"], r["text"], r["line"], r["n"], r["source"]) for r in rows]

    def concepts(self, scheme: str) -> list[Concept]:
        """The concepts of a concept scheme (`values-of-care`, `pc:thresholds`, an IRI).

        >>> [c.label for c in kg.concepts("values-of-care")]
        ['care', 'cura', 'cure']
        """
        iri = expand(scheme, PC)
        rows = self.select(
            SPARQL_PREFIXES
            + f"""SELECT ?concept ?label ?definition WHERE {{
              ?concept skos:inScheme <{iri}> .
              {self._text("?concept", "skos:prefLabel", "?label")}
              {self._text("?concept", "skos:definition", "?definition")}
            }} ORDER BY ?label"""
        )
        if not rows:
            raise LookupError_(f"{scheme}: no such concept scheme, or it is empty")
        return [Concept(r["concept"], r["label"] or "", r["definition"] or "", iri) for r in rows]

    def to_rdflib(self):
        """The whole store as an rdflib Dataset (one graph per model file)."""
        from rdflib import Dataset

        dataset = Dataset()
        data = self.store.dump(format=ox.RdfFormat.N_QUADS)
        dataset.parse(data=data.decode("utf-8"), format="nquads")
        return dataset


MEMORY_COPY_LIMIT = 2_000_000


def _in_memory_if_small(disk: ox.Store, limit: int = MEMORY_COPY_LIMIT) -> ox.Store:
    """A memory copy of an on-disk store of at most `limit` quads, else the store itself.

    Queries on the RocksDB-backed store pay a lookup cost per pattern: on the corpus the
    affiliation query takes about 55 ms on disk and 10 ms in memory.
    """
    head = list(islice(disk, limit + 1))
    if len(head) > limit:
        return disk
    memory = ox.Store()
    memory.bulk_extend(head)
    return memory


def _load_file(memory: ox.Store, path: Path) -> None:
    """Load one RDF file into a store, its triples into a graph named after the file."""
    try:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if fmt is None:
            raise CorpusError(f"{path}: unknown RDF file extension")
        graph = ox.NamedNode(path.resolve().as_uri()) if not fmt.supports_datasets else None
        memory.load(path=str(path), format=fmt, to_graph=graph)
    except SyntaxError as error:
        raise CorpusError(f"{path}: {error}") from error
    except OSError as error:
        raise CorpusError(f"{path}: cannot be read ({error})") from error
