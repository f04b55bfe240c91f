"""The OWL 2 RL inferences of `reason.owl_rl_inferences`, by SPARQL updates on an Oxigraph store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph

from partenariat import corpus
from partenariat.namespaces import shorten
from partenariat.reason import DATA_NAMESPACES
from partenariat.store import to_oxigraph, to_rdflib

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

INFERRED_GRAPH = corpus.GRAPH_BASE + "inferred"  # build.INFERRED_GRAPH
# Inferences needed on the way but never kept (blank-node objects, typings by anonymous
# classes) live in this graph while the rules run.
SCRATCH_GRAPH = "urn:x-partenariat:materialise:scratch"
# Anonymous classes (restrictions, unions…) get an IRI under this prefix in the scratch graph.
SKOLEM = "urn:x-partenariat:materialise:class:"
# rdflib graphs given to `inferences` are loaded into this graph of an in-memory store.
ASSERTED_GRAPH = "urn:x-partenariat:materialise:asserted"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Route = tuple[str, str]  # the graph of an INSERT template, and the condition that binds it

TYPE = ox.NamedNode(RDF + "type")
FIRST = ox.NamedNode(RDF + "first")
REST = ox.NamedNode(RDF + "rest")
NIL = ox.NamedNode(RDF + "nil")
THING = ox.NamedNode(OWL + "Thing")
NAMED_INDIVIDUAL = ox.NamedNode(OWL + "NamedIndividual")
RDFS_LITERAL = ox.NamedNode(RDFS + "Literal")
DATATYPE = ox.NamedNode(RDFS + "Datatype")


def _iri(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


SUB_CLASS_OF = _iri(RDFS, "subClassOf")
SUB_PROPERTY_OF = _iri(RDFS, "subPropertyOf")
DOMAIN = _iri(RDFS, "domain")
RANGE = _iri(RDFS, "range")
EQUIVALENT_CLASS = _iri(OWL, "equivalentClass")
EQUIVALENT_PROPERTY = _iri(OWL, "equivalentProperty")
INVERSE_OF = _iri(OWL, "inverseOf")
UNION_OF = _iri(OWL, "unionOf")
INTERSECTION_OF = _iri(OWL, "intersectionOf")
ONE_OF = _iri(OWL, "oneOf")
ON_PROPERTY = _iri(OWL, "onProperty")
SOME_VALUES_FROM = _iri(OWL, "someValuesFrom")
ALL_VALUES_FROM = _iri(OWL, "allValuesFrom")
HAS_VALUE = _iri(OWL, "hasValue")
PROPERTY_CHAIN = _iri(OWL, "propertyChainAxiom")
TRANSITIVE = _iri(OWL, "TransitiveProperty")
SYMMETRIC = _iri(OWL, "SymmetricProperty")

# The TBox vocabulary translated here, with the OWL 2 RL rules (W3C OWL 2 Profiles, 4.3)
# it feeds: the TBox is closed in Python (scm-*), the data rules run as SPARQL updates.
TRANSLATED = {
    SUB_CLASS_OF: "cax-sco, scm-sco",
    EQUIVALENT_CLASS: "cax-eqc1, cax-eqc2, scm-eqc1",
    SUB_PROPERTY_OF: "prp-spo1, scm-spo",
    EQUIVALENT_PROPERTY: "prp-eqp1, prp-eqp2, scm-eqp1",
    INVERSE_OF: "prp-inv1, prp-inv2",
    DOMAIN: "prp-dom, scm-dom1, scm-dom2",
    RANGE: "prp-rng, scm-rng1, scm-rng2",
    UNION_OF: "cls-uni, scm-uni",
    INTERSECTION_OF: "cls-int1, cls-int2, scm-int",
    ONE_OF: "cls-oo",
    ON_PROPERTY: "(with the three below)",
    SOME_VALUES_FROM: "cls-svf1, cls-svf2, scm-svf1, scm-svf2",
    ALL_VALUES_FROM: "cls-avf, scm-avf1, scm-avf2",
    HAS_VALUE: "cls-hv1, cls-hv2, scm-hv",
    PROPERTY_CHAIN: "prp-spo2",
    TRANSITIVE: "prp-trp",
    SYMMETRIC: "prp-symp",
}
TRANSLATED_TYPES = (TRANSITIVE, SYMMETRIC)
LIST_HEADS = (UNION_OF, INTERSECTION_OF, ONE_OF, PROPERTY_CHAIN)

# Vocabulary refused with an error naming the axiom, so that an ontology change cannot make
# the inferences silently diverge: owl:hasKey, owl:FunctionalProperty and
# owl:InverseFunctionalProperty produce owl:sameAs (prp-key, prp-fp, prp-ifp; eq-rep-* would
# then copy every statement to the other name); the rest is outside OWL 2 RL (no rule: owlrl
# ignores it, other reasoners may not).
UNTRANSLATED = [
    _iri(OWL, name)
    for name in [
        "hasKey",
        "cardinality",
        "qualifiedCardinality",
        "minCardinality",
        "minQualifiedCardinality",
        "hasSelf",
        "onProperties",
        "disjointUnionOf",
    ]
]
UNTRANSLATED_TYPES = [
    _iri(OWL, name)
    for name in ["FunctionalProperty", "InverseFunctionalProperty", "ReflexiveProperty"]
]
# owl:maxCardinality 0 only makes an inconsistency (cls-maxc1); 1 produces owl:sameAs (cls-maxc2).
MAX_CARDINALITIES = [_iri(OWL, "maxCardinality"), _iri(OWL, "maxQualifiedCardinality")]
# Left alone on purpose: the rules of disjointWith, AllDisjointClasses, propertyDisjointWith,
# AllDisjointProperties, AsymmetricProperty, IrreflexiveProperty, complementOf, differentFrom,
# AllDifferent, NegativePropertyAssertion and owl:Nothing only detect inconsistencies
# (HermiT checks consistency), and declarations and annotations infer nothing about individuals.

# Properties that would make an axiom rewrite the TBox itself (meta-modelling).
META_PROPERTIES = {TYPE, FIRST, REST, SUB_CLASS_OF, SUB_PROPERTY_OF, DOMAIN, RANGE}
DECLARATIONS = (
    _iri(OWL, "Class"),
    _iri(OWL, "ObjectProperty"),
    _iri(OWL, "DatatypeProperty"),
)


class UnsupportedAxiom(Exception):
    """The TBox uses an axiom whose OWL 2 RL rules are not translated; the message names it."""


def _name(term: Term) -> str:
    """A term for a message: a prefixed name where one fits."""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return str(term)


def _sparql(term: Term) -> str:
    """A term in SPARQL syntax; a blank node (an anonymous class) as its skolem IRI."""
    if isinstance(term, ox.BlankNode):
        return f"<{SKOLEM}{term.value}>"
    return str(term)


def _values(terms: Iterable[Term | tuple[Term, ...]]) -> str:
    """The rows of a VALUES block."""
    rows = []
    for row in terms:
        if isinstance(row, tuple):
            rows.append("(" + " ".join(_sparql(t) for t in row) + ")")
        else:
            rows.append(_sparql(row))
    return " ".join(sorted(rows))


@dataclass
class Rules:
    """The TBox, closed in Python: what the data rules need to run as a few SPARQL updates."""

    supers: dict[Term, set[Term]] = field(default_factory=dict)  # class -> strict superclasses
    forward: set[tuple[Term, Term]] = field(default_factory=set)  # (p, q): x p y => x q y
    inverse: set[tuple[Term, Term]] = field(default_factory=set)  # (p, q): x p y => y q x
    transitive: set[Term] = field(default_factory=set)
    domains: set[tuple[Term, Term]] = field(default_factory=set)  # (p, c): x p y => x a c
    ranges: set[tuple[Term, Term]] = field(default_factory=set)  # (p, c): x p y => y a c
    intersections: list[tuple[Term, tuple[Term, ...]]] = field(default_factory=list)
    some_values: list[tuple[Term, Term, Term | None]] = field(default_factory=list)  # c, p, filler
    all_values: list[tuple[Term, Term, Term]] = field(default_factory=list)  # c, p, filler
    has_value: list[tuple[Term, Term, Term]] = field(default_factory=list)  # c, p, value
    one_of: list[tuple[Term, tuple[Term, ...]]] = field(default_factory=list)
    chains: list[tuple[Term, tuple[Term, ...]]] = field(default_factory=list)
    needed: set[Term] = field(default_factory=set)  # anonymous classes conjunctive rules read
    recursive: bool = False  # whether the rules must run in rounds until nothing is new

    def written(self, cls: Term) -> bool:
        """Whether typings by this class are written: kept ones, and anonymous ones rules read."""
        if cls in self.needed:
            return True
        return isinstance(cls, ox.NamedNode) and cls not in (THING, NAMED_INDIVIDUAL)

    def expand(self, cls: Term) -> set[Term]:
        """The classes to write for a typing by cls: itself, or else its written superclasses."""
        if self.written(cls):
            return {cls}
        return {c for c in self.supers.get(cls, ()) if self.written(c)}


def _reach(edges: dict, start) -> set:
    """The nodes reachable from start by one edge or more."""
    seen: set = set()
    stack = list(edges.get(start, ()))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return seen


def read_tbox(store: ox.Store) -> list[tuple[Term, ox.NamedNode, Term]]:
    """The axioms the translated rules read, from every graph of the store, lists included.

    Each predicate is looked up through the store's indexes, so this stays fast on a store
    of millions of triples.
    """
    predicates = _values(p for p in TRANSLATED if p not in TRANSLATED_TYPES)
    heads = _values(LIST_HEADS)
    query = f"""SELECT DISTINCT ?s ?p ?o WHERE {{
      {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}
      UNION {{ VALUES ?o {{ {_values(TRANSLATED_TYPES)} }} ?s <{RDF}type> ?o BIND(<{RDF}type> AS ?p) }}
      UNION {{ VALUES ?head {{ {heads} }} ?c ?head ?list . ?list <{RDF}rest>* ?s .
               VALUES ?p {{ <{RDF}first> <{RDF}rest> }} ?s ?p ?o }}
    }}"""
    return [
        (row["s"], row["p"], row["o"])
        for row in store.query(query, use_default_graph_as_union=True)
    ]


def check_supported(store: ox.Store) -> None:
    """Raise UnsupportedAxiom naming up to five axioms whose OWL 2 RL rules are not translated.

    Besides the untranslated vocabulary, owl:sameAs between two terms (eq-rep-* would copy
    every statement to the other name) and classes or properties named in the data
    namespaces (the scm-* rules would then add kept inferences about them) are refused.
    """
    data = " || ".join(f'STRSTARTS(STR(?s), "{ns}")' for ns in DATA_NAMESPACES)
    query = f"""SELECT ?s ?p ?o WHERE {{
      {{ ?s <{OWL}sameAs> ?o FILTER(?s != ?o) BIND(<{OWL}sameAs> AS ?p) }}
      UNION {{ VALUES ?p {{ {_values(UNTRANSLATED)} }} ?s ?p ?o }}
      UNION {{ VALUES ?p {{ {_values(MAX_CARDINALITIES)} }} ?s ?p ?o FILTER(STR(?o) != "0") }}
      UNION {{ VALUES ?o {{ {_values(UNTRANSLATED_TYPES)} }} ?s <{RDF}type> ?o
               BIND(<{RDF}type> AS ?p) }}
      UNION {{ VALUES ?o {{ {_values(DECLARATIONS)} }} ?s <{RDF}type> ?o
               FILTER(isIRI(?s) && ({data})) BIND(<{RDF}type> AS ?p) }}
    }} LIMIT 5"""
    found = [
        f"{_name(row['s'])} {_name(row['p'])} {_name(row['o'])}"
        for row in store.query(query, use_default_graph_as_union=True)
    ]
    if found:
        raise UnsupportedAxiom(
            "the SPARQL materialisation does not translate the OWL 2 RL rules of: "
            + "; ".join(found)
            + " (compute the inferences with reason.owl_rl_inferences_owlrl, or extend "
            "partenariat.materialise)"
        )


def compile_rules(axioms: Iterable[tuple[Term, ox.NamedNode, Term]]) -> Rules:
    """Close the TBox in Python (class and property hierarchies, scm-* rules) into Rules.

    Raises UnsupportedAxiom on what the rules cannot take: anonymous property expressions,
    properties or classes of the data namespaces or of the RDF/RDFS/OWL vocabularies used
    as such, data ranges in restrictions, malformed lists.
    """
    by: dict[ox.NamedNode, list[tuple[Term, Term]]] = defaultdict(list)
    first: dict[Term, Term] = {}
    rest: dict[Term, Term] = {}
    for s, p, o in axioms:
        if p == FIRST:
            first[s] = o
        elif p == REST:
            rest[s] = o
        else:
            by[p].append((s, o))

    def axiom(s: Term, p: ox.NamedNode, o: Term) -> str:
        return f"{_name(s)} {_name(p)} {_name(o)}"

    def items(head: Term, where: str) -> tuple[Term, ...]:
        out: list[Term] = []
        node, seen = head, set()
        while node != NIL:
            if node in seen or node not in first:
                raise UnsupportedAxiom(f"{where}: not a well-formed RDF list")
            seen.add(node)
            out.append(first[node])
            node = rest.get(node, NIL)
        return tuple(out)

    def prop(term: Term, where: str) -> ox.NamedNode:
        if not isinstance(term, ox.NamedNode):
            raise UnsupportedAxiom(f"{where}: anonymous property expressions are not translated")
        if term in META_PROPERTIES or term.value.startswith(OWL):
            raise UnsupportedAxiom(f"{where}: an axiom about a built-in RDF/RDFS/OWL property")
        if term.value.startswith(DATA_NAMESPACES):
            raise UnsupportedAxiom(f"{where}: a property named in the data namespaces")
        return term

    def cls(term: Term, where: str) -> Term:
        if isinstance(term, ox.Literal):
            raise UnsupportedAxiom(f"{where}: a literal used as a class")
        if isinstance(term, ox.NamedNode) and term.value.startswith(DATA_NAMESPACES):
            raise UnsupportedAxiom(f"{where}: a class named in the data namespaces")
        return term

    rules = Rules()

    # Properties: a node is (property, direction); x p y gives every node reachable from
    # (p, True), read as x q y for (q, True) and y q x for (q, False).
    signed: dict[tuple[Term, bool], set[tuple[Term, bool]]] = defaultdict(set)
    sub_props: dict[Term, set[Term]] = defaultdict(set)
    for s, o in by[SUB_PROPERTY_OF]:
        where = axiom(s, SUB_PROPERTY_OF, o)
        s, o = prop(s, where), prop(o, where)
        sub_props[s].add(o)
        for direction in (True, False):
            signed[(s, direction)].add((o, direction))
    for s, o in by[EQUIVALENT_PROPERTY]:
        where = axiom(s, EQUIVALENT_PROPERTY, o)
        s, o = prop(s, where), prop(o, where)
        sub_props[s].add(o)
        sub_props[o].add(s)
        for direction in (True, False):
            signed[(s, direction)].add((o, direction))
            signed[(o, direction)].add((s, direction))
    for s, o in by[INVERSE_OF]:
        where = axiom(s, INVERSE_OF, o)
        s, o = prop(s, where), prop(o, where)
        for direction in (True, False):
            signed[(s, direction)].add((o, not direction))
            signed[(o, direction)].add((s, not direction))
    types = by[TYPE]
    for s, o in types:
        if o == SYMMETRIC:
            s = prop(s, axiom(s, TYPE, o))
            for direction in (True, False):
                signed[(s, direction)].add((s, not direction))
        elif o == TRANSITIVE:
            rules.transitive.add(prop(s, axiom(s, TYPE, o)))
    properties = {p for p, _direction in list(signed)}
    for p in properties:
        for q, direction in _reach(signed, (p, True)):
            if direction and q != p:
                rules.forward.add((p, q))
            elif not direction:
                rules.inverse.add((p, q))

    def super_props(p: Term) -> set[Term]:
        return {p} | _reach(sub_props, p)

    # Classes: the direct superclasses, then the scm-* rules on restrictions to a fixpoint.
    direct: dict[Term, set[Term]] = defaultdict(set)
    for s, o in by[SUB_CLASS_OF]:
        where = axiom(s, SUB_CLASS_OF, o)
        direct[cls(s, where)].add(cls(o, where))
    for s, o in by[EQUIVALENT_CLASS]:
        where = axiom(s, EQUIVALENT_CLASS, o)
        direct[cls(s, where)].add(cls(o, where))
        direct[o].add(s)
    for c, head in by[UNION_OF]:
        where = axiom(c, UNION_OF, head)
        for member in items(head, where):
            direct[cls(member, where)].add(cls(c, where))
    for c, head in by[INTERSECTION_OF]:
        where = axiom(c, INTERSECTION_OF, head)
        members = tuple(cls(m, where) for m in items(head, where))
        if THING in members:
            raise UnsupportedAxiom(f"{where}: owl:Thing in an intersection is not translated")
        direct[cls(c, where)].update(members)
        rules.intersections.append((c, members))
    for c, head in by[ONE_OF]:
        where = axiom(c, ONE_OF, head)
        members = items(head, where)
        if any(isinstance(m, ox.BlankNode) for m in members):
            raise UnsupportedAxiom(f"{where}: a blank node among the individuals")
        individuals = tuple(m for m in members if isinstance(m, ox.NamedNode))
        rules.one_of.append((cls(c, where), individuals))
    on_property = {}
    for r, p in by[ON_PROPERTY]:
        on_property[r] = prop(p, axiom(r, ON_PROPERTY, p))
    datatypes = {s for s, o in types if o == DATATYPE}

    def restriction(r: Term, predicate: ox.NamedNode, value: Term) -> str:
        where = axiom(r, predicate, value)
        if r not in on_property:
            raise UnsupportedAxiom(f"{where}: a restriction without owl:onProperty")
        return where

    svf: dict[Term, Term] = {}
    avf: dict[Term, Term] = {}
    hv: dict[Term, Term] = {}
    for predicate, table in ((SOME_VALUES_FROM, svf), (ALL_VALUES_FROM, avf)):
        for r, filler in by[predicate]:
            where = restriction(r, predicate, filler)
            is_datatype = isinstance(filler, ox.NamedNode) and (
                filler.value.startswith(XSD) or filler == RDFS_LITERAL
            )
            if is_datatype or filler in datatypes:
                raise UnsupportedAxiom(f"{where}: data ranges in restrictions are not translated")
            table[r] = cls(filler, where)
    for r, value in by[HAS_VALUE]:
        where = restriction(r, HAS_VALUE, value)
        if isinstance(value, ox.BlankNode):
            raise UnsupportedAxiom(f"{where}: a blank node as the value")
        hv[r] = value

    while True:
        closure = {c: _reach(direct, c) for c in list(direct)}

        def sub(c1: Term, c2: Term, closure: dict = closure) -> bool:
            return c1 == c2 or c2 in closure.get(c1, ())

        added = False
        for table, kind in ((svf, "svf"), (avf, "avf"), (hv, "hv")):
            for r1, y1 in table.items():
                for r2, y2 in table.items():
                    if r1 == r2:
                        continue
                    p1, p2 = on_property[r1], on_property[r2]
                    if kind == "hv":  # scm-hv
                        new = y1 == y2 and p2 in super_props(p1)
                    elif kind == "svf":  # scm-svf1, scm-svf2
                        new = (p1 == p2 and sub(y1, y2)) or (y1 == y2 and p2 in super_props(p1))
                    else:  # scm-avf1; scm-avf2 gives r2 below r1, met with r1 and r2 swapped
                        new = (p1 == p2 and sub(y1, y2)) or (y1 == y2 and p1 in super_props(p2))
                    if new and r2 not in direct[r1]:
                        direct[r1].add(r2)
                        added = True
        if not added:
            break
    rules.supers = {c: _reach(direct, c) - {c} for c in list(direct)}

    for r, filler in svf.items():
        rules.some_values.append((r, on_property[r], None if filler == THING else filler))
        if filler != THING:
            rules.needed.add(filler)
    for r, filler in avf.items():
        rules.all_values.append((r, on_property[r], filler))
        rules.needed.add(r)
    for r, value in hv.items():
        rules.has_value.append((r, on_property[r], value))
        rules.needed.add(r)
    for _c, members in rules.intersections:
        rules.needed.update(members)
    if THING in rules.needed or NAMED_INDIVIDUAL in rules.needed:
        raise UnsupportedAxiom("a restriction reads typings by owl:Thing or owl:NamedIndividual")
    rules.needed = {c for c in rules.needed if not isinstance(c, ox.NamedNode)}

    for s, o in by[DOMAIN]:
        where = axiom(s, DOMAIN, o)
        rules.domains.add((prop(s, where), cls(o, where)))
    for s, o in by[RANGE]:
        where = axiom(s, RANGE, o)
        rules.ranges.add((prop(s, where), cls(o, where)))

    for c, chain in by[PROPERTY_CHAIN]:
        where = axiom(c, PROPERTY_CHAIN, chain)
        rules.chains.append((prop(c, where), tuple(prop(p, where) for p in items(chain, where))))

    # One pass is enough unless a rule reads what a later one writes: conjunctive class
    # rules, chains, or a transitive property whose inferences feed another transitive one.
    feedback = any(
        q in rules.transitive and (q, direction) != (t, True)
        for t in rules.transitive
        for q, direction in _reach(signed, (t, True))
    )
    rules.recursive = bool(
        feedback
        or rules.chains
        or rules.intersections
        or rules.some_values
        or rules.all_values
        or rules.has_value
    )
    return rules


class _Updates:
    """The SPARQL updates that apply the rules to a store, the graphs they write to."""

    def __init__(self, rules: Rules, target: str) -> None:
        self.rules = rules
        self.target_iri = target
        self.target = f"<{target}>"
        self.scratch = f"<{SCRATCH_GRAPH}>"

    def kept(self, subject: str) -> str:
        """The SPARQL condition of reason._keep on a subject: an IRI in the data namespaces."""
        data = " || ".join(f'STRSTARTS(STR({subject}), "{ns}")' for ns in DATA_NAMESPACES)
        return f"isIRI({subject}) && ({data})"

    def route(self, obj: str | None = None, cls: Term | None = None) -> Route:
        """The graph a new triple goes to: the target graph, or else the scratch graph.

        Typings by anonymous classes and triples whose object is a blank node go to the
        scratch graph. Triples about subjects outside the data namespaces go to the target
        graph: `cleanup` removes them at the end, reading each subject's IRI once rather than
        once a triple (the costly part on a large store).
        """
        if cls is not None:
            return (self.target if isinstance(cls, ox.NamedNode) else self.scratch), ""
        return "?graph", f"BIND(IF(isBlank({obj}), {self.scratch}, {self.target}) AS ?graph)"

    def cleanup(self) -> str:
        """DELETE from the target graph the triples about subjects outside the data namespaces."""
        return f"""DELETE {{ GRAPH {self.target} {{ ?x ?p ?y }} }} WHERE {{
      {{ SELECT DISTINCT ?x WHERE {{ GRAPH {self.target} {{ ?x ?p ?y }} }} }}
      FILTER(!({self.kept("?x")}))
      GRAPH {self.target} {{ ?x ?p ?y }}
    }}"""

    def asserted_only(self) -> str:
        """A filter on ?g: asserted triples only (one pass reads no inferred triple there)."""
        if self.rules.recursive:
            return ""
        return f"FILTER(?g NOT IN ({self.target}, {self.scratch}))"

    def properties(self, only: set[Term] | None = None) -> Iterator[str]:
        """prp-spo1, prp-eqp*, prp-inv*, prp-symp (prp-spo2, cls-hv1): an update per property.

        `only` restricts the sources to those properties (after a transitive closure).
        """
        rules = self.rules
        sources: dict[Term, list[str]] = defaultdict(list)
        forward: dict[Term, set[Term]] = defaultdict(set)
        inverse: dict[Term, set[Term]] = defaultdict(set)
        for p, q in rules.forward:
            if only is None or p in only:
                forward[q].add(p)
        for p, q in rules.inverse:
            if only is None or p in only:
                inverse[q].add(p)
        asserted = self.asserted_only() if only is None else ""
        for q, ps in forward.items():
            sources[q].append(
                f"{{ VALUES ?p {{ {_values(ps)} }} GRAPH ?g {{ ?x ?p ?y }} {asserted} }}"
            )
        for q, ps in inverse.items():
            sources[q].append(
                f"{{ VALUES ?p {{ {_values(ps)} }} GRAPH ?g {{ ?y ?p ?x }} "
                f"FILTER(!isLiteral(?x)) {asserted} }}"
            )
        if only is None:
            for q, chain in rules.chains:
                hops = [f"?v{i}" for i in range(len(chain) + 1)]
                hops[0], hops[-1] = "?x", "?y"
                body = " ".join(
                    f"GRAPH ?g{i} {{ {hops[i]} {_sparql(p)} {hops[i + 1]} }}"
                    for i, p in enumerate(chain)
                )
                sources[q].append(f"{{ {body} }}")
            for c, p, value in rules.has_value:
                sources[p].append(
                    f"{{ GRAPH ?g {{ ?x <{RDF}type> {_sparql(c)} }} BIND({_sparql(value)} AS ?y) }}"
                )
        for q, branches in sources.items():
            template = f"?x {_sparql(q)} ?y"
            yield self._insert(template, "?x ?y", branches, self.route("?y"))

    def transitive(self, t: Term) -> str:
        """prp-trp once: x t y, y t z => x t z (paths double in length at each run)."""
        p = _sparql(t)
        branch = (
            f"{{ {{ SELECT ?x ?v WHERE {{ GRAPH ?g1 {{ ?x {p} ?v }} }} }} "
            f"{{ SELECT ?v ?y WHERE {{ GRAPH ?g2 {{ ?v {p} ?y }} }} }} }}"
        )
        return self._insert(f"?x {p} ?y", "?x ?y", [branch], self.route("?y"), "DISTINCT")

    def typings(self) -> Iterator[str]:
        """prp-dom, prp-rng, cls-oo and the conjunctive cls-* rules: an update per class.

        A typing by an anonymous class that no rule reads is written as its named
        superclasses; `hierarchy` then adds the superclasses of what is written here.
        """
        rules = self.rules
        sources: dict[Term, list[str]] = defaultdict(list)

        def add(classes: Iterable[Term], branch: str) -> None:
            for c in classes:
                sources[c].append(branch)

        for pairs, pattern, literal in (
            (rules.domains, "?x ?p ?y", ""),
            (rules.ranges, "?y ?p ?x", "FILTER(!isLiteral(?x))"),
        ):
            by_class: dict[Term, set[Term]] = defaultdict(set)
            for p, c in pairs:
                for d in rules.expand(c):
                    by_class[d].add(p)
            for d, ps in by_class.items():
                add([d], f"{{ VALUES ?p {{ {_values(ps)} }} GRAPH ?g {{ {pattern} }} {literal} }}")
        for c, individuals in rules.one_of:
            if individuals:
                add(rules.expand(c), f"{{ VALUES ?x {{ {_values(individuals)} }} }}")
        for c, p, filler in rules.some_values:
            if filler is None:  # cls-svf2
                branch = f"{{ GRAPH ?g {{ ?x {_sparql(p)} ?y }} }}"
            else:  # cls-svf1
                branch = (
                    f"{{ GRAPH ?g {{ ?x {_sparql(p)} ?y }} "
                    f"GRAPH ?h {{ ?y <{RDF}type> {_sparql(filler)} }} }}"
                )
            add(rules.expand(c), branch)
        for c, p, value in rules.has_value:  # cls-hv2
            add(rules.expand(c), f"{{ GRAPH ?g {{ ?x {_sparql(p)} {_sparql(value)} }} }}")
        for c, p, filler in rules.all_values:  # cls-avf
            add(
                rules.expand(filler),
                f"{{ GRAPH ?g {{ ?z <{RDF}type> {_sparql(c)} }} "
                f"GRAPH ?h {{ ?z {_sparql(p)} ?x }} FILTER(!isLiteral(?x)) }}",
            )
        for c, members in rules.intersections:  # cls-int1
            body = " ".join(
                f"GRAPH ?g{i} {{ ?x <{RDF}type> {_sparql(m)} }}" for i, m in enumerate(members)
            )
            add(rules.expand(c), f"{{ {body} }}")
        subclasses = self.subclasses()
        for d, branches in sources.items():
            template = f"?x <{RDF}type> {_sparql(d)}"
            route = self.route(cls=d)
            # Typed by d or a subclass: `hierarchy` adds d if need be, reading fewer rows.
            known = (
                f"VALUES ?c {{ {_values(subclasses[d] | {d})} }} GRAPH ?old {{ ?x <{RDF}type> ?c }}"
            )
            yield self._insert(template, "?x", branches, route, known=known)

    def subclasses(self) -> dict[Term, set[Term]]:
        """The written strict subclasses of each written class."""
        rules = self.rules
        subclasses: dict[Term, set[Term]] = defaultdict(set)
        for c, supers in rules.supers.items():
            if rules.written(c):
                for d in supers:
                    if rules.written(d):
                        subclasses[d].add(c)
        return subclasses

    def hierarchy(self) -> Iterator[str]:
        """cax-sco, cax-eqc*, cls-uni, cls-int2: an update per class, from its subclasses.

        The most general classes come first, so an update reads the asserted typings and
        those of `typings`, not what the updates of its subclasses wrote just before.
        """
        rules = self.rules
        subclasses = self.subclasses()
        order = sorted(subclasses, key=lambda d: (len(rules.supers.get(d, ())), _sparql(d)))
        for d in order:
            template = f"?x <{RDF}type> {_sparql(d)}"
            branch = (
                f"{{ VALUES ?c {{ {_values(subclasses[d])} }} GRAPH ?g {{ ?x <{RDF}type> ?c }} }}"
            )
            yield self._insert(template, "?x", [branch], self.route(cls=d))

    def _insert(
        self,
        template: str,
        variables: str,
        branches: list[str],
        route: Route,
        distinct: str = "",
        known: str | None = None,
    ) -> str:
        """INSERT the new instances of template into the graph of `route`, on its condition.

        `known` is what makes an instance not new (default: the template in any graph).
        Without DISTINCT (hashing every row costs more than the rare duplicate insert).
        """
        known = known or f"GRAPH ?old {{ {template} }}"
        union = "\n        UNION ".join(branches)
        graph, condition = route
        return f"""INSERT {{ GRAPH {graph} {{ {template} }} }} WHERE {{
      {{ SELECT {distinct} {variables} WHERE {{
        {{ {union} }}
        MINUS {{ {known} }}
      }} }}
      {condition}
    }}"""


def _count(store: ox.Store, graphs: Iterable[str], predicate: Term | None = None) -> int:
    """The number of triples in the graphs (with that predicate)."""
    p = _sparql(predicate) if predicate is not None else "?p"
    names = " ".join(f"<{g}>" for g in graphs)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s {p} ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def materialise(store: ox.Store, target: str = INFERRED_GRAPH) -> int:
    """Write the kept OWL 2 RL inferences of the store's named graphs into the target graph.

    The TBox is read from the store; the inferences are those of reason.owl_rl_inferences
    (only subjects in the data namespaces, no owl:sameAs, no blank-node object, no typing by
    owl:Thing or owl:NamedIndividual, nothing already asserted). The target graph is
    replaced; the store's default graph must be empty (updates read the named graphs).
    Returns the number of inferred triples.
    """
    if store.query("ASK { ?s ?p ?o }"):
        raise ValueError("the store's default graph is not empty: load the data into named graphs")
    for graph in (target, SCRATCH_GRAPH):
        store.update(f"DROP SILENT GRAPH <{graph}>")
    check_supported(store)
    rules = compile_rules(read_tbox(store))
    updates = _Updates(rules, target)
    _skolemise(store, rules)
    graphs = (target, SCRATCH_GRAPH)
    size = -1
    while size != (size := _count(store, graphs)):
        for update in updates.properties():
            store.update(update)
        for t in sorted(rules.transitive, key=str):
            count = -1
            while count != (count := _count(store, graphs, t)):
                store.update(updates.transitive(t))
        if rules.transitive:
            for update in updates.properties(only=rules.transitive):
                store.update(update)
        for update in updates.typings():
            store.update(update)
        for update in updates.hierarchy():
            store.update(update)
        if not rules.recursive:
            break
    store.update(updates.cleanup())
    store.update(f"DROP SILENT GRAPH <{SCRATCH_GRAPH}>")
    return _count(store, [target])


def _skolemise(store: ox.Store, rules: Rules) -> None:
    """Copy the asserted typings by anonymous classes that rules read, under their skolem IRI."""
    quads = []
    scratch = ox.NamedNode(SCRATCH_GRAPH)
    for cls in rules.needed:
        if isinstance(cls, ox.BlankNode):
            for quad in store.quads_for_pattern(None, TYPE, cls):
                quads.append(ox.Quad(quad.subject, TYPE, ox.NamedNode(_sparql(cls)[1:-1]), scratch))
    store.extend(quads)


def inferences(graph: Graph) -> Graph:
    """The kept OWL 2 RL inferences of an rdflib graph, materialised in an in-memory store."""
    store = ox.Store()
    name = ox.NamedNode(ASSERTED_GRAPH)
    store.extend(ox.Quad(*(to_oxigraph(term) for term in triple), name) for triple in graph)
    materialise(store)
    inferred = Graph()
    for prefix, namespace in graph.namespaces():
        inferred.bind(prefix, namespace)
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)):
        inferred.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return inferred
