"""Load the graph into a remote SPARQL server (Oxigraph, Virtuoso, GraphDB, Fuseki, Neptune) and query it."""

from __future__ import annotations

import ast
import contextlib
import json
import re
import socket
import time
import urllib.error
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node
from SPARQLWrapper import BASIC, CSV, DIGEST, JSON, POST, TSV, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from partenariat import profile, store
from partenariat.corpus import GRAPH_BASE, model_files, parse_turtle, project_root

AuthKind = Literal["none", "basic", "digest"]
Protocol = Literal["gsp", "update"]
ResultFormat = Literal["json", "xml", "csv", "tsv"]
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term | None]
Triple = tuple[Node, Node, Node]
T = TypeVar("T")

STAGING_PREFIX = "urn:partenariat:staging:"
"""Temporary graphs are named under this prefix, outside GRAPH_BASE, then moved over their target."""

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_TYPES = frozenset(
    XSD + name
    for name in (
        "integer",
        "decimal",
        "float",
        "double",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
RESULT_MEDIA_TYPES: dict[str, tuple[str, str, ox.QueryResultsFormat]] = {
    "json": (JSON, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": (XML, "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": (CSV, "text/csv", ox.QueryResultsFormat.CSV),
    "tsv": (TSV, "text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
MESSAGE_CHARS = 300


class RemoteError(Exception):
    """A server could not be reached or refused a request; the message names its URL (never
    the password) and what failed: unreachable, login refused, HTTP status and the start of
    the server's message, or a triple count that does not match."""


def _safe_url(url: str) -> str:
    """A URL without any user:password part, for messages."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return re.sub(r"//[^/@]*@", "//", url)
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else url


@dataclass(frozen=True, repr=False)
class Endpoint:
    """Where a SPARQL server answers queries, updates and Graph Store requests, and how to log in.

    The password is never shown: not in repr(), str() or any error message (nor a
    user:password written in a URL).

    >>> e = Endpoint.virtuoso("http://127.0.0.1:8890", "dba", "secret")
    >>> "secret" in repr(e) or "secret" in str(e)
    False
    >>> e.graph_url("https://w3id.org/partenariat/graph/data/comments")
    'http://127.0.0.1:8890/sparql-graph-crud-auth?graph-uri=https%3A%2F%2Fw3id.org%2Fpartenariat%2Fgraph%2Fdata%2Fcomments'
    """

    query_url: str
    update_url: str | None = None
    store_url: str | None = None
    graph_param: str = "graph"
    auth: AuthKind = "none"
    user: str | None = None
    password: str | None = None
    name: str = "sparql"
    rdf_media_type: str = "application/n-triples"
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.auth not in ("none", "basic", "digest"):
            raise ValueError(f"auth must be none, basic or digest, not {self.auth!r}")
        if self.auth != "none" and not self.user:
            raise ValueError(f"{self.auth} authentication needs a user name")

    def __str__(self) -> str:
        return f"{self.name} at {_safe_url(self.query_url)}"

    def __repr__(self) -> str:
        urls = ", ".join(
            f"{key}={_safe_url(url)!r}"
            for key, url in (
                ("query_url", self.query_url),
                ("update_url", self.update_url),
                ("store_url", self.store_url),
            )
            if url
        )
        return f"Endpoint({urls}, auth={self.auth!r}, user={self.user!r}, name={self.name!r})"

    @classmethod
    def oxigraph(cls, base: str, timeout: float = 60.0) -> Endpoint:
        """Oxigraph server (`oxigraph serve`): /query, /update, Graph Store /store?graph=IRI, no login."""
        base = base.rstrip("/")
        return cls(
            f"{base}/query",
            f"{base}/update",
            f"{base}/store",
            "graph",
            name="oxigraph",
            timeout=timeout,
        )

    @classmethod
    def virtuoso(cls, base: str, user: str, password: str, timeout: float = 60.0) -> Endpoint:
        """Virtuoso 7: query /sparql; update /sparql-auth and Graph Store
        /sparql-graph-crud-auth?graph-uri=IRI, both with HTTP digest authentication."""
        base = base.rstrip("/")
        return cls(
            f"{base}/sparql",
            f"{base}/sparql-auth",
            f"{base}/sparql-graph-crud-auth",
            "graph-uri",
            "digest",
            user,
            password,
            name="virtuoso",
            timeout=timeout,
        )

    @classmethod
    def generic(
        cls,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        *,
        graph_param: str = "graph",
        auth: AuthKind = "none",
        user: str | None = None,
        password: str | None = None,
        name: str = "sparql",
        timeout: float = 60.0,
    ) -> Endpoint:
        """Any SPARQL 1.1 server, from its URLs. For instance:

        - GraphDB: query `…/repositories/REPO`, update `…/repositories/REPO/statements`,
          Graph Store `…/repositories/REPO/rdf-graphs/service`;
        - Fuseki: `…/DATASET/query`, `…/DATASET/update`, `…/DATASET/data`;
        - Neptune: query and update `https://HOST:8182/sparql`, no Graph Store (use
          protocol="update").
        """
        return cls(
            query_url,
            update_url,
            store_url,
            graph_param,
            auth,
            user,
            password,
            name=name,
            timeout=timeout,
        )

    def graph_url(self, graph: str) -> str:
        """The Graph Store URL of one named graph."""
        if not self.store_url:
            raise RemoteError(f"{self}: no Graph Store URL given")
        url = httpx.URL(self.store_url).copy_merge_params({self.graph_param: graph})
        return str(url)

    def httpx_auth(self) -> httpx.Auth | None:
        """The httpx authentication for update and Graph Store requests."""
        if self.auth == "basic":
            return httpx.BasicAuth(self.user or "", self.password or "")
        if self.auth == "digest":
            return httpx.DigestAuth(self.user or "", self.password or "")
        return None


@dataclass
class LoadReport:
    """What a load did: triples per target graph (counted on the server after the swap),
    requests sent, retries, triples the public profile kept back, and wall time."""

    endpoint: str
    protocol: str
    graphs: dict[str, int]
    requests: int = 0
    retries: int = 0
    withheld: int = 0
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        """Every triple loaded, over all graphs."""
        return sum(self.graphs.values())


# -- RDF terms ---------------------------------------------------------------------------


def _triples_of(value: object) -> list[Triple]:
    """rdflib triples from a Graph, or from an iterable of rdflib or pyoxigraph triples."""
    triples: list[Triple] = []
    for triple in value:  # type: ignore[attr-defined]
        if isinstance(triple, ox.Triple):
            triple = (triple.subject, triple.predicate, triple.object)
        s, p, o = triple
        triples.append((store.to_rdflib(s), store.to_rdflib(p), store.to_rdflib(o)))
    return triples


def named_graphs(data: Dataset | Mapping[str, Iterable]) -> dict[str, list[Triple]]:
    """The named graphs of an rdflib Dataset (its empty default graph left out), or of a
    mapping graph IRI -> triples (an rdflib Graph, rdflib or pyoxigraph triples)."""
    graphs: dict[str, list[Triple]] = {}
    if isinstance(data, Dataset):
        for context in data.graphs():
            identifier = context.identifier
            if not isinstance(identifier, URIRef) or str(identifier).startswith("urn:x-rdflib:"):
                if len(context):
                    raise ValueError(
                        f"{len(context)} triple(s) in the dataset's default graph: "
                        "name their graph to load them"
                    )
                continue
            graphs.setdefault(str(identifier), []).extend(_triples_of(context))
        return graphs
    for iri, triples in data.items():
        ox.NamedNode(str(iri))  # a valid IRI, or ValueError
        graphs.setdefault(str(iri), []).extend(_triples_of(triples))
    return graphs


def _project_ontology() -> Graph:
    """The project's ontology and vocabularies (they flag what is personal data)."""
    graph = Graph()
    for path in model_files(project_root(), ("ontology",)):
        parse_turtle(path, graph)
    return graph


def public_graphs(
    graphs: Mapping[str, Iterable[Triple]], ontology: Graph | None = None
) -> tuple[dict[str, list[Triple]], int]:
    """Each named graph cut down to the public profile (profile.public_triples over their
    union), and the number of triples kept back.

    Triples the profile adds (a passage's `part:redacted true`) go to the graph that
    holds most triples about their subject (its model file rather than the inferences).
    What is personal data is read from the data itself and from the given ontology (the
    project's ontology/ folder by default), so that a graph sent without the ontology is
    cut too.
    """
    return profile.public_named_graphs(
        graphs, _project_ontology() if ontology is None else ontology
    )


def release_dataset(store_path: Path | str | None = None, full: bool = False) -> Dataset:
    """The built store's named graphs (build/store by default) as an rdflib Dataset, to load
    into a server; the public profile unless full (load() applies it again anyway)."""
    from partenariat.api import KnowledgeGraph

    dataset = KnowledgeGraph(store_path).to_rdflib()
    if full:
        return dataset
    kept, _withheld = public_graphs(named_graphs(dataset))
    public = Dataset()
    for iri, triples in kept.items():
        graph = public.graph(URIRef(iri))
        for triple in triples:
            graph.add(triple)
    return public


def _nt(triple: Triple) -> str:
    """One triple in N-Triples syntax (also valid in a SPARQL INSERT DATA block)."""
    s, p, o = (store.to_oxigraph(term) for term in triple)
    return f"{s} {p} {o} ."


def batches(triples: Iterable[Triple], size: int) -> list[list[str]]:
    """N-Triples lines in batches of at most size, keeping every triple that shares a blank
    node in one batch (a blank node label means one node within one request only); a group
    of triples linked by blank nodes larger than size goes alone in its batch.

    >>> from rdflib import BNode, URIRef
    >>> b, p = BNode("b"), URIRef("http://x/p")
    >>> [len(batch) for batch in batches([(URIRef("http://x/a"), p, b), (b, p, b), (b, p, URIRef("http://x/c"))], 2)]
    [3]
    """
    if size < 1:
        raise ValueError("batch size must be at least 1")
    parent: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    lines: dict[str, Triple] = {}
    for triple in triples:
        lines.setdefault(_nt(triple), triple)  # equal terms written alike count once
    for s, _p, o in lines.values():
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[find(s)] = find(o)
    groups: dict[object, list[str]] = {}
    for index, (line, (s, _p, o)) in enumerate(lines.items()):
        bnode = s if isinstance(s, BNode) else o if isinstance(o, BNode) else None
        key = ("bnode", find(bnode)) if bnode is not None else index
        groups.setdefault(key, []).append(line)
    result: list[list[str]] = []
    current: list[str] = []
    for group in groups.values():
        if current and len(current) + len(group) > size:
            result.append(current)
            current = []
        current.extend(group)
    if current:
        result.append(current)
    return result


def comparable(term: Term | None) -> tuple:
    """A key that is equal for two RDF terms with the same value: language tags compared
    without case, numbers by numeric value (0.50 = 0.5, 2 = 2.0), xsd:string and plain
    literals alike, any blank node like any other. For comparing answers across engines.

    >>> comparable(ox.Literal("0.50", datatype=ox.NamedNode(XSD + "decimal"))) == comparable(
    ...     ox.Literal("0.5", datatype=ox.NamedNode(XSD + "decimal")))
    True
    >>> comparable(ox.Literal("x", language="en-GB")) == comparable(ox.Literal("x", language="en-gb"))
    True
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if term.language:
        return ("lang", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in NUMERIC_TYPES:
        try:
            number = Decimal(term.value.strip())
            if number.is_finite():
                return ("number", number)
        except InvalidOperation:
            pass
        return ("number", term.value.strip().upper())
    if datatype == XSD + "string":
        return ("string", term.value)
    if datatype == XSD + "boolean":
        return ("boolean", term.value.strip() in ("true", "1"))
    return ("typed", term.value, datatype)


def comparable_rows(rows: Iterable[Row]) -> Counter:
    """Rows as a multiset of value keys (see comparable), for order-free comparison."""
    return Counter(
        tuple(sorted((name, comparable(term)) for name, term in row.items())) for row in rows
    )


# -- HTTP with retries ---------------------------------------------------------------------


def _message_start(text: str) -> str:
    """The start of a server's message: HTML markup stripped, spaces collapsed, cut short."""
    if re.match(r"\s*<(!DOCTYPE html|html)", text, re.I):
        text = re.sub(r"<head>.*?</head>|<[^>]+>", " ", text, flags=re.S | re.I)
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "…"


def _login_refused(endpoint: Endpoint, url: str, status: int) -> RemoteError:
    who = f" for user {endpoint.user!r}" if endpoint.user else " (no user given)"
    return RemoteError(
        f"{_safe_url(url)}: login refused (HTTP {status}){who}: check the user name and password"
    )


class _Session:
    """One httpx client for a load: its authentication, retries with backoff, counters."""

    def __init__(self, endpoint: Endpoint, retries: int, backoff: float) -> None:
        self.endpoint = endpoint
        self.retries = max(0, retries)
        self.backoff = backoff
        self.requests = 0
        self.retried = 0
        self.client = httpx.Client(auth=endpoint.httpx_auth(), timeout=endpoint.timeout)

    def close(self) -> None:
        self.client.close()

    def send(
        self,
        method: str,
        url: str,
        what: str,
        content: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; retry connection errors and 5xx, never 4xx."""
        failure: RemoteError | None = None
        body = content.encode("utf-8") if isinstance(content, str) else content
        for attempt in range(self.retries + 1):
            if attempt:
                self.retried += 1
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.requests += 1
            try:
                response = self.client.request(method, url, content=body, headers=headers)
            except httpx.TransportError as error:
                failure = RemoteError(
                    f"{_safe_url(url)}: {what}: {_transport_failure(error)} "
                    f"({type(error).__name__}: {error})"
                )
                continue
            status = response.status_code
            if status in (401, 403):
                raise _login_refused(self.endpoint, url, status)
            if status < 400:
                return response
            failure = RemoteError(
                f"{_safe_url(url)}: {what} failed: HTTP {status}: {_message_start(response.text)}"
            )
            if status < 500:
                raise failure
        assert failure is not None
        attempts = self.retries + 1
        raise RemoteError(f"{failure} (after {attempts} attempt{'s' if attempts > 1 else ''})")


def _transport_failure(error: object) -> str:
    """What a connection failure means for the user: unreachable, no answer, or cut off."""
    if isinstance(error, httpx.TimeoutException | TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(
        error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError | ConnectionResetError
    ):
        return "connection lost"
    return "unreachable"


# -- queries -------------------------------------------------------------------------------


def _with_retries(endpoint: Endpoint, retries: int, backoff: float, attempt: Callable[[], T]) -> T:
    """Run a SPARQLWrapper call, retrying connection errors and 5xx; errors as RemoteError."""
    url = _safe_url(endpoint.query_url)
    failure: RemoteError | None = None
    for number in range(max(0, retries) + 1):
        if number:
            time.sleep(backoff * 2 ** (number - 1))
        try:
            return attempt()
        except SPARQLWrapperException as error:
            status = _status_of(error)
            if status in (401, 403):
                raise _login_refused(endpoint, endpoint.query_url, status) from error
            failure = RemoteError(
                f"{url}: query failed: HTTP {status}: {_message_start(_body_of(error))}"
            )
            if status < 500:
                raise failure from error
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise _login_refused(endpoint, endpoint.query_url, error.code) from error
            body = error.read().decode("utf-8", "replace") if error.fp else ""
            failure = RemoteError(f"{url}: query failed: HTTP {error.code}: {_message_start(body)}")
            if error.code < 500:
                raise failure from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            kind = _transport_failure(reason if isinstance(reason, Exception) else error)
            failure = RemoteError(f"{url}: query: {kind} ({reason})")
    assert failure is not None
    raise RemoteError(f"{failure} (after {max(0, retries) + 1} attempts)")


_STATUS_OF = {
    "QueryBadFormed": 400,
    "Unauthorized": 401,
    "EndPointNotFound": 404,
    "URITooLong": 414,
    "EndPointInternalError": 500,
}


def _status_of(error: SPARQLWrapperException) -> int:
    context = error.__context__
    if isinstance(context, urllib.error.HTTPError):
        return context.code
    return _STATUS_OF.get(type(error).__name__, 500)


def _body_of(error: SPARQLWrapperException) -> str:
    """The server's answer that SPARQLWrapper keeps only inside its message."""
    message = str(error)
    _, found, tail = message.partition("\n\nResponse:\n")
    if not found:
        return message
    try:
        body = ast.literal_eval(tail)
    except (ValueError, SyntaxError):
        return tail
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _wrapper(endpoint: Endpoint, sparql: str, fmt: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(endpoint.query_url)
    wrapper.setMethod(POST)
    wrapper.setOnlyConneg(True)  # the Accept header only, no format=/output= parameters
    wrapper.setReturnFormat(RESULT_MEDIA_TYPES[fmt][0])
    wrapper.setTimeout(int(endpoint.timeout))
    if endpoint.auth != "none":
        wrapper.setHTTPAuth(BASIC if endpoint.auth == "basic" else DIGEST)
        wrapper.setCredentials(endpoint.user or "", endpoint.password or "")
    wrapper.setQuery(sparql)
    return wrapper


def _fetch(endpoint: Endpoint, sparql: str, fmt: str, retries: int, backoff: float) -> bytes:
    """The server's result document for a query, in one of the W3C formats."""
    if fmt not in RESULT_MEDIA_TYPES:
        raise ValueError(f"result format must be one of {', '.join(RESULT_MEDIA_TYPES)}")

    def attempt() -> bytes:
        result = _wrapper(endpoint, sparql, fmt).query()
        try:
            body = result.response.read()
            max_rows = result.response.headers.get("X-SPARQL-MaxRows")
        finally:
            result.response.close()
        if max_rows:
            _check_not_cut(endpoint, body, fmt, int(max_rows))
        return body

    return _with_retries(endpoint, retries, backoff, attempt)


def _check_not_cut(endpoint: Endpoint, body: bytes, fmt: str, max_rows: int) -> None:
    """Virtuoso cuts results at ResultSetMaxRows and says so only in a header (sent when
    the answer has that many rows): refuse an answer that may be cut."""
    if fmt != "json":
        return
    rows = len(json.loads(body)["results"]["bindings"])
    if rows >= max_rows:
        raise RemoteError(
            f"{_safe_url(endpoint.query_url)}: the answer reached the server's row limit "
            f"({max_rows} rows, Virtuoso's ResultSetMaxRows in virtuoso.ini) and may be cut: "
            "raise the limit"
        )


_BNODE_CHARS = re.compile(r"[^A-Za-z0-9_]")


def _term(binding: dict[str, Any] | None) -> Term | None:
    """A pyoxigraph term from a SPARQL JSON binding (also Virtuoso's `typed-literal` and its
    `nodeID://` blank nodes)."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(_BNODE_CHARS.sub("", value) or "b")
    language = binding.get("xml:lang")
    if language:
        return ox.Literal(value, language=language)
    datatype = binding.get("datatype")
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def _rows(document: dict[str, Any]) -> list[Row]:
    names = document["head"].get("vars", [])
    return [
        {name: _term(binding.get(name)) for name in names}
        for binding in document["results"]["bindings"]
    ]


def query(endpoint: Endpoint, sparql: str, retries: int = 3, backoff: float = 0.5) -> list[Row]:
    """Run a SELECT on the server (SPARQLWrapper, POST, JSON results asked for explicitly).

    Rows map every projected variable to a pyoxigraph term (NamedNode, BlankNode, Literal)
    or None when unbound: the same types as the embedded store's answers, so that
    `comparable_rows` (or `api.python_value`) applies to both. Servers may return a
    literal in another lexical form than the embedded store (Virtuoso: `0.5` for `0.50`,
    `en-gb` for `en-GB`): compare with `comparable`.
    """
    body = _fetch(endpoint, sparql, "json", retries, backoff)
    try:
        document = json.loads(body)
    except ValueError as error:
        raise RemoteError(
            f"{_safe_url(endpoint.query_url)}: the answer is not SPARQL JSON results: "
            f"{_message_start(body.decode('utf-8', 'replace'))}"
        ) from error
    if "results" not in document:
        raise RemoteError(f"{_safe_url(endpoint.query_url)}: not a SELECT query's answer")
    return _rows(document)


def query_document(
    endpoint: Endpoint,
    sparql: str,
    fmt: ResultFormat = "json",
    raw: bool = False,
    retries: int = 3,
    backoff: float = 0.5,
) -> bytes:
    """A SELECT's answer as a W3C results document: json, xml, csv or tsv.

    By default the server's JSON answer is re-serialised by pyoxigraph, so the document
    follows the W3C format whatever the server (Virtuoso's TSV, for one, is CSV with
    tabs); raw=True returns the server's own document for that format, untouched.
    """
    if raw:
        return _fetch(endpoint, sparql, fmt, retries, backoff)
    document = json.loads(_fetch(endpoint, sparql, "json", retries, backoff))
    for binding in document.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("type") == "bnode":
                value["value"] = _BNODE_CHARS.sub("", value["value"]) or "b"
    solutions = ox.parse_query_results(
        json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON
    )
    return solutions.serialize(format=RESULT_MEDIA_TYPES[fmt][2])


def _iri(value: str) -> str:
    """An IRI in SPARQL syntax, checked (no spaces, no `>`)."""
    return str(ox.NamedNode(value))


def _literal(value: str) -> str:
    return str(ox.Literal(value))


def count(endpoint: Endpoint, graph: str | None = None, retries: int = 3) -> int:
    """The number of triples in one named graph, or, with graph None, in every named graph
    under the project's graph base (https://w3id.org/partenariat/graph/)."""
    if graph is not None:
        sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
    else:
        sparql = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_literal(GRAPH_BASE)})) }}"
        )
    rows = query(endpoint, sparql, retries=retries)
    value = rows[0]["n"] if rows else None
    return int(value.value) if value is not None else 0


def graph_counts(endpoint: Endpoint, under: str = GRAPH_BASE, retries: int = 3) -> dict[str, int]:
    """The named graphs whose IRI starts with under, and their triple counts."""
    sparql = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {_literal(under)})) }} GROUP BY ?g"
    )
    return {
        row["g"].value: int(row["n"].value)
        for row in query(endpoint, sparql, retries=retries)
        if row["g"] is not None and row["n"] is not None
    }


def _counts_of(endpoint: Endpoint, graphs: list[str], retries: int) -> dict[str, int]:
    """The triple counts of the given graphs, in one query (0 for an empty graph)."""
    found: dict[str, int] = dict.fromkeys(graphs, 0)
    for start in range(0, len(graphs), 100):
        chunk = graphs[start : start + 100]
        values = " ".join(_iri(g) for g in chunk)
        sparql = (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        for row in query(endpoint, sparql, retries=retries):
            if row["g"] is not None and row["n"] is not None:
                found[row["g"].value] = int(row["n"].value)
    return found


# -- loading -------------------------------------------------------------------------------


def drop(endpoint: Endpoint, graphs: Iterable[str], retries: int = 3, backoff: float = 0.5) -> None:
    """Drop named graphs from the server (SPARQL Update `DROP SILENT GRAPH`, one request)."""
    names = list(graphs)
    if not names:
        return
    session = _Session(endpoint, retries, backoff)
    try:
        _update(
            session,
            f"dropping {len(names)} graph(s)",
            " ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in names),
        )
    finally:
        session.close()


def _update(session: _Session, what: str, sparql: str) -> None:
    url = session.endpoint.update_url
    if not url:
        raise RemoteError(f"{session.endpoint}: no update URL given")
    session.send(
        "POST",
        url,
        what,
        sparql,
        {"Content-Type": "application/sparql-update; charset=utf-8"},
    )


def _upload(
    session: _Session, graph: str, parts: list[list[str]], protocol: Protocol, label: str
) -> None:
    """Send the batches of one graph into the (empty, new) graph `graph`."""
    endpoint = session.endpoint
    for number, lines in enumerate(parts, start=1):
        what = f"batch {number}/{len(parts)} of {label} ({len(lines)} triples)"
        if protocol == "update":
            body = "\n".join(lines)
            if any(line.startswith("_:") or " _:" in line for line in lines):
                # Virtuoso refuses blank nodes in INSERT DATA; a template makes them fresh
                sparql = f"INSERT {{ GRAPH {_iri(graph)} {{\n{body}\n}} }} WHERE {{}}"
            else:
                sparql = f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{body}\n}} }}"
            _update(session, what, sparql)
        else:
            method = "PUT" if number == 1 else "POST"
            session.send(
                method,
                endpoint.graph_url(graph),
                what,
                "\n".join(lines) + "\n",
                {"Content-Type": f"{endpoint.rdf_media_type}; charset=utf-8"},
            )


def _drop_quietly(session: _Session, graphs: list[str]) -> None:
    """Drop staging graphs after a failure, best effort (the first error is the one reported)."""
    if not graphs or not session.endpoint.update_url:
        return
    with contextlib.suppress(RemoteError):
        _update(
            session,
            "dropping staging graphs",
            " ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in graphs),
        )


def load(
    endpoint: Endpoint,
    dataset_or_graphs: Dataset | Mapping[str, Iterable],
    protocol: Protocol = "gsp",
    batch_size: int = 500,
    retries: int = 3,
    *,
    public: bool = True,
    prune: bool = False,
    backoff: float = 0.5,
) -> LoadReport:
    """Replace each named graph on the server by the given one; loading twice gives the same store.

    `dataset_or_graphs` is an rdflib Dataset (its named graphs) or a mapping graph IRI ->
    triples. With public (the default) only the public profile is sent (see
    `public_graphs`); public=False sends every triple, for a store that is not public.

    Every graph goes first into a temporary graph (`urn:partenariat:staging:…`), in
    batches of at most batch_size triples (Graph Store: PUT the first batch, POST the
    others, as N-Triples; update: one INSERT DATA per batch; triples sharing a blank node
    stay in one batch), and its triple count is checked on the server. Once every graph
    is staged, one update request moves them over their targets (`MOVE SILENT GRAPH
    <tmp> TO GRAPH <target>`; `DROP SILENT GRAPH` for an empty graph, and with prune for
    the graphs under GRAPH_BASE that the data no longer has), and the targets are
    counted again. On any failure before the move the staging graphs are dropped and
    every target graph stays as it was.

    A server with a Graph Store but no update URL cannot stage and move: each graph is
    then PUT whole into its target in one request (the server replaces it or keeps the
    old one), then counted; batch_size does not apply.

    Connection errors and 5xx answers are retried `retries` times with exponential
    backoff; 4xx are not (401 and 403 raise a "login refused" RemoteError).
    """
    if protocol not in ("gsp", "update"):
        raise ValueError("protocol must be gsp or update")
    start = time.perf_counter()
    graphs = named_graphs(dataset_or_graphs)
    withheld = 0
    if public:
        graphs, withheld = public_graphs(graphs)
    report = LoadReport(str(endpoint), protocol, {}, withheld=withheld)
    session = _Session(endpoint, retries, backoff)
    try:
        if protocol == "gsp" and not endpoint.store_url:
            raise RemoteError(f"{endpoint}: no Graph Store URL given (use protocol='update')")
        if protocol == "update" or endpoint.update_url:
            _staged_load(session, graphs, protocol, batch_size, retries, prune, report)
        else:
            _direct_load(session, graphs, retries, report)
    finally:
        report.requests, report.retries = session.requests, session.retried
        session.close()
    report.seconds = round(time.perf_counter() - start, 3)
    return report


def _staged_load(
    session: _Session,
    graphs: dict[str, list[Triple]],
    protocol: Protocol,
    batch_size: int,
    retries: int,
    prune: bool,
    report: LoadReport,
) -> None:
    endpoint = session.endpoint
    run = uuid.uuid4().hex
    staged: dict[str, str] = {}
    expected: dict[str, int] = {}
    try:
        for index, (target, triples) in enumerate(graphs.items()):
            parts = batches(triples, batch_size)
            expected[target] = sum(len(part) for part in parts)
            if not parts:
                continue
            staging = f"{STAGING_PREFIX}{run}:{index}"
            staged[target] = staging
            _upload(session, staging, parts, protocol, f"<{target}>")
            found = count(endpoint, staging, retries=retries)
            if found != expected[target]:
                raise RemoteError(
                    f"{_safe_url(endpoint.query_url)}: count mismatch for <{target}>: "
                    f"sent {expected[target]} triples, the server holds {found}"
                )
        stale: list[str] = []
        if prune:
            stale = sorted(set(graph_counts(endpoint, GRAPH_BASE, retries)) - set(graphs))
        operations = [
            f"MOVE SILENT GRAPH {_iri(staged[target])} TO GRAPH {_iri(target)}"
            if target in staged
            else f"DROP SILENT GRAPH {_iri(target)}"
            for target in graphs
        ] + [f"DROP SILENT GRAPH {_iri(g)}" for g in stale]
        if operations:
            _update(
                session, f"moving {len(staged)} staged graph(s) into place", " ;\n".join(operations)
            )
        report.dropped = stale
    except BaseException:
        _drop_quietly(session, list(staged.values()))
        raise
    _verify(endpoint, expected, retries, report)


def _direct_load(
    session: _Session, graphs: dict[str, list[Triple]], retries: int, report: LoadReport
) -> None:
    """Graph Store only: PUT each graph whole into its target, then count it."""
    endpoint = session.endpoint
    expected: dict[str, int] = {}
    for target, triples in graphs.items():
        lines = sorted({_nt(t) for t in triples})
        expected[target] = len(lines)
        if lines:
            session.send(
                "PUT",
                endpoint.graph_url(target),
                f"replacing <{target}>",
                "\n".join(lines) + "\n",
                {"Content-Type": f"{endpoint.rdf_media_type}; charset=utf-8"},
            )
        else:
            try:
                session.send("DELETE", endpoint.graph_url(target), f"emptying <{target}>")
            except RemoteError as error:
                if "HTTP 404" not in str(error):
                    raise
    _verify(endpoint, expected, retries, report)


def _verify(endpoint: Endpoint, expected: dict[str, int], retries: int, report: LoadReport) -> None:
    """Count the target graphs on the server: each must hold what was sent."""
    found = _counts_of(endpoint, list(expected), retries)
    wrong = {g: (expected[g], found[g]) for g in expected if found[g] != expected[g]}
    if wrong:
        details = "; ".join(
            f"<{g}>: sent {sent}, holds {held}" for g, (sent, held) in wrong.items()
        )
        raise RemoteError(
            f"{_safe_url(endpoint.query_url)}: count mismatch after the move: {details}"
        )
    report.graphs = found
