"""The query catalogue: .rq files with a header, and parameters bound as RDF terms."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from partenariat.corpus import project_root
from partenariat.namespaces import expand

QUERIES_DIR = "queries"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*)$")


class CatalogueError(Exception):
    """A query or its parameters are wrong; the message names the file or parameter."""


@dataclass(frozen=True)
class Parameter:
    """A query parameter: its variable name, its type (iri, string, lang, language, integer,
    decimal, year) and its default value, if any."""

    name: str
    type: str
    default: str | None = None
    description: str = ""


@dataclass
class Query:
    """A catalogue query: its name, header fields and SPARQL text."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    question: str | None = None
    parameters: list[Parameter] = field(default_factory=list)


PARAMETER_TYPES = ("iri", "string", "lang", "language", "integer", "decimal", "year")
# A `language` parameter is a BCP 47 tag written into the query as a string literal
# wherever its variable appears (see bound_text), so that `FILTER(LANG(?label) = ?lang)`
# inside an OPTIONAL compares with a constant: Virtuoso 7 does not see a VALUES binding
# from an OPTIONAL's filter, and the BIND(LANG(…) AS ?lang) join that it does see makes
# Oxigraph read every label of the graph before the join (14 s at national scale).
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def parse_query_file(path: Path) -> Query:
    """Read a .rq file and its header comment lines (title, question, description, param)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error.strerror})") from error
    query = Query(name=path.stem, path=path, text=text)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group("key"), match.group("value").strip()
        if key == "title":
            query.title = value
        elif key == "description":
            query.description = f"{query.description} {value}".strip()
        elif key == "question":
            query.question = value
        elif key == "param":
            query.parameters.append(_parse_parameter(value, path, number))
    return query


def _parse_parameter(value: str, path: Path, line: int) -> Parameter:
    """`name type [default] [-- description]` from a `# param:` line."""
    spec, _, description = value.partition("--")
    parts = spec.strip().split(maxsplit=2)
    if len(parts) < 2 or parts[1] not in PARAMETER_TYPES:
        raise CatalogueError(
            f"{path}:{line}: a parameter is `name type [default]`, type one of "
            f"{', '.join(PARAMETER_TYPES)}"
        )
    default = parts[2] if len(parts) > 2 else None
    return Parameter(parts[0], parts[1], default, description.strip())


def catalogue(root: Path | None = None) -> dict[str, Query]:
    """Every query of queries/ (not its sub-folders), by name."""
    folder = (project_root() if root is None else root) / QUERIES_DIR
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq"))}


def resolve(name_or_file: str, root: Path | None = None) -> Query:
    """A query by catalogue name or by path to an .rq file."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path)
    if path.suffix == ".rq":
        raise CatalogueError(f"{name_or_file}: no such file")
    queries = catalogue(root)
    if name_or_file in queries:
        return queries[name_or_file]
    close = difflib.get_close_matches(name_or_file, list(queries), n=3, cutoff=0.5)
    close += [name for name in queries if name_or_file in name and name not in close][:3]
    hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
    raise CatalogueError(
        f"{name_or_file}: no such query{hint} (`partenariat queries` lists the catalogue)"
    )


def to_term(parameter: Parameter, raw: str) -> ox.NamedNode | ox.Literal:
    """Turn a parameter's text value into the RDF term its type asks for.

    >>> to_term(Parameter("case", "iri"), "pid:encadre-1")
    <NamedNode value=https://w3id.org/partenariat/id/encadre-1>
    >>> to_term(Parameter("n", "integer"), "3")
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    xsd = "http://www.w3.org/2001/XMLSchema#"
    kind = parameter.type
    try:
        if kind == "iri":
            return ox.NamedNode(expand(raw, default=""))
        if kind == "string":
            return ox.Literal(raw)
        if kind == "lang":
            text, _, lang = raw.rpartition("@")
            return ox.Literal(text, language=lang) if text else ox.Literal(raw)
        if kind == "language":
            if not _LANGUAGE_TAG.match(raw):
                raise ValueError(raw)
            return ox.Literal(raw.lower())
        if kind == "integer":
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(xsd + "integer"))
        if kind == "decimal":
            float(raw)
            return ox.Literal(raw, datatype=ox.NamedNode(xsd + "decimal"))
        if kind == "year":
            if not re.fullmatch(r"-?\d{4}", raw):
                raise ValueError(raw)
            return ox.Literal(raw, datatype=ox.NamedNode(xsd + "gYear"))
    except ValueError as error:
        raise CatalogueError(
            f"parameter {parameter.name}: {raw!r} is not a valid {kind}"
        ) from error
    raise CatalogueError(f"parameter {parameter.name}: unknown type {kind}")


def bindings(query: Query, values: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """The substitutions for a query: given values, else defaults; unknown names refused."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(values) - set(known))
    if unknown:
        names = ", ".join(known) or "none"
        raise CatalogueError(
            f"{query.name}: unknown parameter(s) {', '.join(unknown)} (known: {names})"
        )
    missing = [name for name, p in known.items() if p.default is None and name not in values]
    if missing:
        raise CatalogueError(
            f"{query.name}: missing parameter(s) {', '.join(missing)} "
            f"({'; '.join(f'{n}: {known[n].type}' for n in missing)})"
        )
    return {
        ox.Variable(name): to_term(parameter, values.get(name, parameter.default))
        for name, parameter in known.items()
    }


def bound_text(query: Query, values: dict[str, str]) -> str:
    r"""The query text with its parameters bound by a VALUES block at the top of each WHERE.

    Values become RDF terms (N-Triples syntax, escaped by pyoxigraph), never pasted
    text, and a VALUES block runs the same on every SPARQL 1.1 engine. The block opens
    the query's WHERE and the WHERE of each sub-query, so that a sub-query may filter
    on a parameter too. A `language` parameter is the exception: its tag, checked
    against BCP 47 syntax, is written as a string literal in place of its variable (and
    stays in the VALUES block, unused there: Virtuoso 7 answers some sub-queries wrongly,
    cq10 and case-comparison, when their VALUES block binds a single variable).

    >>> q = Query("q", Path("q.rq"), "SELECT ?x WHERE { ?x ?p ?case }",
    ...           parameters=[Parameter("case", "iri", "pid:encadre-1")])
    >>> bound_text(q, {})
    'SELECT ?x WHERE { VALUES (?case) { (<https://w3id.org/partenariat/id/encadre-1>) }\n ?x ?p ?case }'
    >>> q = Query("q", Path("q.rq"), "SELECT ?l WHERE { ?x ?p ?l FILTER(LANG(?l) = ?lang) }",
    ...           parameters=[Parameter("lang", "language", "fr")])
    >>> bound_text(q, {"lang": "en"})
    'SELECT ?l WHERE { VALUES (?lang) { ("en") }\n ?x ?p ?l FILTER(LANG(?l) = "en") }'
    """
    terms = bindings(query, values)
    text = query.text
    for parameter in query.parameters:
        if parameter.type == "language":
            literal = str(terms[ox.Variable(parameter.name)])
            text = re.sub(rf"[?$]{re.escape(parameter.name)}\b", lambda _match, term=literal: term, text)
    if not terms:
        return text
    if _WHERE.search(text) is None:
        raise CatalogueError(f"{query.path}: a query with parameters needs an explicit `WHERE {{`")
    names = " ".join(str(variable) for variable in terms)
    row = " ".join(str(term) for term in terms.values())
    block = f" VALUES ({names}) {{ ({row}) }}\n"
    return _WHERE.sub(lambda match: match.group(0) + block, text)
