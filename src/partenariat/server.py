"""A read-only SPARQL 1.1 Protocol endpoint and web page over the graph's public profile."""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import anyio
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from partenariat import catalogue, profile
from partenariat.namespaces import PREFIXES

log = logging.getLogger("partenariat.server")

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
MAX_BODY_BYTES = 1_000_000
KILL_GRACE_S = 0.5
STARTUP_TIMEOUT_S = 300.0
WEB_DIR = Path(__file__).resolve().parent / "web"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GENERIC_ERROR = "Internal server error: the query could not be answered (the error is logged)."

# -- result formats ------------------------------------------------------------------

SOLUTION_TYPES = {  # server preference order: the first is the default
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
# `format=` values: (media type for SELECT/ASK, media type for CONSTRUCT/DESCRIBE)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", None),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", None),
    **{media: (media, None) for media in SOLUTION_TYPES},
    **{media: (None, media) for media in GRAPH_TYPES},
}


class NotAcceptable(Exception):
    """No result format the client accepts; the message lists the formats on offer."""


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    """An Accept header as (media range, q) pairs; malformed q values count as 1."""
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 1.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q the client gives a media type: its most specific matching range wins."""
    kind = media.split("/", 1)[0]
    best, specificity = 0.0, -1
    for pattern, q in ranges:
        if pattern == media:
            rank = 2
        elif pattern == f"{kind}/*":
            rank = 1
        elif pattern == "*/*":
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = q, rank
    return best


def negotiate(accept: str | None, fmt: str | None) -> tuple[str | None, str | None]:
    """The media types to answer with, for SELECT/ASK and for CONSTRUCT/DESCRIBE.

    A `format` parameter wins over the Accept header; None means no acceptable format
    for that kind of result.

    >>> negotiate("text/csv", None)
    ('text/csv', None)
    >>> negotiate(None, "json")
    ('application/sparql-results+json', 'application/ld+json')
    """
    if fmt:
        key = fmt.strip().lower()
        if key not in FORMAT_NAMES:
            raise NotAcceptable(
                f"Unknown format {fmt!r}; use one of json, xml, csv, tsv (SELECT, ASK) or "
                "turtle, ntriples, jsonld (CONSTRUCT, DESCRIBE), or a media type."
            )
        return FORMAT_NAMES[key]
    if not accept or not accept.strip():
        return next(iter(SOLUTION_TYPES)), next(iter(GRAPH_TYPES))
    ranges = _media_ranges(accept)
    # aliases a client may ask for
    ranges += [("application/sparql-results+json", q) for m, q in ranges if m == "application/json"]
    ranges += [("application/sparql-results+xml", q) for m, q in ranges if m == "application/xml"]

    def pick(types: Iterable[str]) -> str | None:
        scored = [(_quality(media, ranges), -index, media) for index, media in enumerate(types)]
        q, _order, media = max(scored)
        return media if q > 0 else None

    return pick(SOLUTION_TYPES), pick(GRAPH_TYPES)


def _not_acceptable_message() -> str:
    return (
        "None of the accepted formats is on offer. SELECT and ASK: "
        + ", ".join(SOLUTION_TYPES)
        + ". CONSTRUCT and DESCRIBE: "
        + ", ".join(GRAPH_TYPES)
        + ". Use the Accept header or a `format` parameter."
    )


# -- what a request asks for: a lexical scan ---------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\x00-\x20]*>)
    | (?P<var>[?$]\w*)
    | (?P<name>(?:[^\W\d]|_)?[\w.\-]*:(?:[\w.:%\-]|\\.)*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<number>\d[\w.]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
OUTSIDE_KEYWORDS = ("SERVICE", "LOAD")
_OUTSIDE_ANYWHERE = re.compile("service|load", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
MASK = "\u00ff"  # valid inside strings, IRIs, comments and names; never a keyword


@dataclass(frozen=True)
class Scan:
    """What a lexical scan of a request text found, outside strings, IRIs and comments."""

    form: str | None
    outside: tuple[str, ...]
    masked: str | None


def _unescape(text: str) -> str:
    r"""The text with its \uXXXX and \UXXXXXXXX escapes decoded, as SPARQL parsers may do."""

    def decode(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _ESCAPE.sub(decode, text)


def scan(text: str) -> Scan:
    """The query form (first keyword after the prologue), the SERVICE or LOAD keywords
    found outside strings, IRIs and comments, and, when the words `service` or `load`
    occur anywhere else, the text with each occurrence masked.

    pyoxigraph runs SERVICE and LOAD by fetching the IRI they name, so both are refused.
    The scan is lexical and cannot see every context (`SERVICE:x` is a keyword and the
    IRI `:x` at the start of a pattern, a prefixed name elsewhere; `<` may open an IRI
    or compare); the masked text is the backstop: it is parsed (on an empty store)
    before the query runs, and a text whose masked form does not parse used one of
    those words where the parser saw a keyword. `ÿ` (U+00FF) is valid in strings, IRIs,
    comments, prefixed names and variables, and starts no keyword.

    >>> scan("PREFIX ex: <http://e/> SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }").outside
    ('SERVICE',)
    >>> scan('SELECT * WHERE { ?s ?p "self-service" }').outside, scan("INSERT DATA {}").form
    ((), 'INSERT')
    """
    form: str | None = None
    outside: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "word":
            continue
        upper = match.group().upper()
        if upper in OUTSIDE_KEYWORDS:
            outside.append(upper)
        if form is None and upper not in ("BASE", "PREFIX"):
            form = upper
    unescaped = _unescape(text)
    if len(_OUTSIDE_ANYWHERE.findall(unescaped)) > len(_OUTSIDE_ANYWHERE.findall(text)):
        outside.append("escaped SERVICE or LOAD")
    masked = None
    if _OUTSIDE_ANYWHERE.search(text):
        masked = _OUTSIDE_ANYWHERE.sub(lambda m: MASK + m.group()[1:], text)
    return Scan(form, tuple(dict.fromkeys(outside)), masked)


def syntax_message(error: BaseException) -> str:
    """pyoxigraph's `error at LINE:COLUMN: …` as `… at line LINE, column COLUMN: …`."""
    match = re.match(r"error at (\d+):(\d+): (.*)", str(error), re.S)
    if not match:
        return f"SPARQL syntax error: {error}"
    return (
        f"SPARQL syntax error at line {match.group(1)}, column {match.group(2)}: {match.group(3)}"
    )


OUTSIDE_MESSAGE = (
    "{what} refused: this endpoint only queries its own graph and never fetches "
    "outside data (no federated SERVICE calls, no LOAD)."
)
UPDATE_MESSAGE = (
    "Updates are refused: this endpoint is read-only (SPARQL query only; no update "
    "operation, no Graph Store writes)."
)


# -- the public profile --------------------------------------------------------------


def load_store(store_path: Path | str | None = None, full: bool = False) -> ox.Store:
    """The store to serve: the built store (or a store folder, or an RDF file), reduced to
    its public profile unless full is true; always held in memory for the profile."""
    from partenariat.api import KnowledgeGraph

    source = KnowledgeGraph(store_path).store
    if full:
        return source
    served = ox.Store()
    served.bulk_extend(profile.public_quads(source))
    return served


# -- queries in worker processes ----------------------------------------------------


class _Refused(Exception):
    """A query the worker refuses or cannot answer: an HTTP status and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json_term(term: Any) -> dict[str, Any]:
    """An RDF term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unsupported term {term!r}")


def _check(count: int, max_rows: int, deadline: float, timeout_s: float, what: str) -> None:
    """Raise when a result grows past the row limit or the time limit."""
    if count > max_rows:
        raise _Refused(
            413,
            f"Result too large: more than {max_rows:,} {what} (the limit of this endpoint). "
            "Add a LIMIT, or narrow the query.",
        )
    if count % 128 == 0 and time.monotonic() > deadline:
        raise _Refused(503, _timeout_message(timeout_s))


def _timeout_message(timeout_s: float) -> str:
    return (
        f"Query timed out: it ran longer than the {timeout_s:g} s limit of this endpoint. "
        "Narrow the query or add a LIMIT."
    )


def execute(store: ox.Store, job: dict[str, Any], max_rows: int, timeout_s: float) -> tuple:
    """Run one query job on a store: ("ok", media type, body) or ("error", status, message).

    The job holds the query text, the masked text to check first (see `scan`), the
    dataset (default and named graph IRIs, or None for the union of the named graphs)
    and the media types negotiated for each kind of result.
    """
    deadline = time.monotonic() + timeout_s
    try:
        if job.get("masked") is not None:
            try:
                ox.Store().query(job["masked"])  # parsed on an empty store, never on data
            except SyntaxError as error:
                raise _Refused(
                    400,
                    f"{syntax_message(error)} (checked with the words SERVICE and LOAD masked: "
                    "both are refused here, this endpoint never fetches outside data)",
                ) from None
        options: dict[str, Any] = {}
        if job.get("default_graph"):
            options["default_graph"] = [ox.NamedNode(iri) for iri in job["default_graph"]]
        else:
            options["use_default_graph_as_union"] = True
        if job.get("named_graphs"):
            options["named_graphs"] = [ox.NamedNode(iri) for iri in job["named_graphs"]]
        try:
            result = store.query(job["query"], **options)
        except SyntaxError as error:
            raise _Refused(400, syntax_message(error)) from None
        if isinstance(result, ox.QueryBoolean):
            media = job["solutions"]
            if media is None:
                raise _Refused(406, _not_acceptable_message())
            return ("ok", media, result.serialize(format=SOLUTION_TYPES[media]))
        if isinstance(result, ox.QuerySolutions):
            media = job["solutions"]
            if media is None:
                raise _Refused(406, _not_acceptable_message())
            names = [variable.value for variable in result.variables]
            bindings = []
            for solution in result:
                bindings.append(
                    {
                        name: _json_term(solution[name])
                        for name in names
                        if solution[name] is not None
                    }
                )
                _check(len(bindings), max_rows, deadline, timeout_s, "rows")
            document = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}})
            parsed = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
            return ("ok", media, parsed.serialize(format=SOLUTION_TYPES[media]))
        media = job["graph"]
        if media is None:
            raise _Refused(406, _not_acceptable_message())
        triples = []
        for triple in result:
            triples.append(triple)
            _check(len(triples), max_rows, deadline, timeout_s, "triples")
        fmt = GRAPH_TYPES[media]
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD) else None
        return ("ok", media, ox.serialize(triples, format=fmt, prefixes=prefixes))
    except _Refused as refused:
        return ("error", refused.status, refused.message)
    except Exception as error:
        return ("error", 500, GENERIC_ERROR, f"{type(error).__name__}: {error}")


def _worker_main(fd: int) -> None:
    """A query worker process: receive its settings and store, then answer jobs until
    told to stop. It talks to the server over a socket inherited as file descriptor fd."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(fd)
    try:  # the server may shut down at any time (a busy port, Ctrl-C): then just leave
        max_rows, timeout_s, nquads = conn.recv()
        store = ox.Store()
        if nquads:  # parsed, not loaded: Store.load would rename the blank nodes
            store.bulk_extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        del nquads
        conn.send(("ready",))
        while True:
            job = conn.recv()
            if job is None:
                return
            conn.send(execute(store, job, max_rows, timeout_s))
    except (EOFError, OSError, pickle.UnpicklingError):  # a message cut by the shutdown
        return


WORKER_COMMAND = (
    "import sys; from partenariat.server import _worker_main; _worker_main(int(sys.argv[1]))"
)


class _Worker:
    """One worker process (a fresh interpreter) and the server's end of its socket."""

    def __init__(self, nquads: bytes, max_rows: int, timeout_s: float) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER_COMMAND, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        # the store goes over while the worker starts, in the background
        self._sending = threading.Thread(
            target=self._send_settings, args=((max_rows, timeout_s, nquads),), daemon=True
        )
        self._sending.start()

    def _send_settings(self, settings: tuple[int, float, bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(settings)

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        """Wait for the worker to load its store (not counted in a query's time limit)."""
        if self.ready:
            return
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        self._sending.join(STARTUP_TIMEOUT_S)
        while not self.conn.poll(0.1):
            if not self.alive() or time.monotonic() > deadline:
                raise RuntimeError("the query worker did not start")
        if self.conn.recv() != ("ready",):
            raise RuntimeError("the query worker sent an unexpected message")
        self.ready = True

    def stop(self, kill: bool = False) -> None:
        """Stop the process: ask it to leave, or kill it (a query past its time limit)."""
        if not kill and self.alive():
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1.0)
        if self.alive():
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5.0)
        self._sending.join(1.0)
        self.conn.close()


class QueryPool:
    """Worker processes that each hold a copy of the served store and run one query at a
    time; a query past its time limit has its worker killed and replaced, so a runaway
    query never keeps running (pyoxigraph cannot cancel a query)."""

    def __init__(self, store: ox.Store, workers: int, timeout_s: float, max_rows: int) -> None:
        self.nquads = store.dump(format=ox.RdfFormat.N_QUADS) if len(store) else b""
        self.size = max(1, workers)
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def _spawn(self) -> _Worker:
        worker = _Worker(self.nquads, self.max_rows, self.timeout_s)
        with self._lock:
            self._all.add(worker)
        return worker

    def start(self) -> None:
        """Start the workers (done on first use if not before)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _retire(self, worker: _Worker, kill: bool) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop(kill=kill)
        if not self._closed:
            self._idle.put(self._spawn())

    def run(self, job: dict[str, Any]) -> tuple:
        """Run a job on an idle worker (blocking): the worker's answer, or an error tuple."""
        self.start()
        try:
            worker = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            return ("error", 503, "The endpoint is busy with other queries; try again shortly.")
        try:
            worker.wait_ready()
            worker.conn.send(job)
            if worker.conn.poll(self.timeout_s + KILL_GRACE_S):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except Exception as error:  # a worker that died or did not start
            self._retire(worker, kill=True)
            return ("error", 500, GENERIC_ERROR, f"query worker failed: {error!r}")
        self._retire(worker, kill=True)
        return ("error", 503, _timeout_message(self.timeout_s))

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


# -- the application ----------------------------------------------------------------


@dataclass
class ServerState:
    """What the routes share: the served store, its query pool, the cached picture and docs."""

    store: ox.Store
    pool: QueryPool
    lang: str
    full: bool
    network_svg: bytes | None = None
    network_lock: threading.Lock = field(default_factory=threading.Lock)
    docs_dir: Path | None = None


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


async def _read_body(request: Request) -> bytes:
    """The request body, refused past MAX_BODY_BYTES."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"Request body larger than {MAX_BODY_BYTES:,} bytes.")
    return body


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _protocol_params(request: Request) -> tuple[list[tuple[str, str]], str | None]:
    """The request's parameters (URL and form) and, for application/sparql-query, its body."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params, None
    media = _media_type(request)
    body = await _read_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "The request body is not UTF-8 text.") from None
    if media == "application/x-www-form-urlencoded":
        return params + parse_qsl(text, keep_blank_values=True), None
    if media == "application/sparql-query":
        return params, text
    if media == "application/sparql-update":
        return [*params, ("update", text)], None
    raise HTTPException(
        415,
        "Unsupported request content type; POST application/x-www-form-urlencoded "
        "(query=…) or application/sparql-query.",
    )


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in params if key == name]
    if len(values) > 1:
        raise HTTPException(
            400, f"The `{name}` parameter is given {len(values)} times; give it once."
        )
    return values[0] if values else None


def _iris(params: list[tuple[str, str]], name: str) -> list[str]:
    iris = [value for key, value in params if key == name]
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HTTPException(400, f"`{name}`: {iri!r} is not an IRI.") from None
    return iris


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (GET and POST); updates are refused."""
    state: ServerState = request.app.state.partenariat
    params, body_query = await _protocol_params(request)
    update = _single(params, "update")
    if update is not None:
        found = scan(update)
        if found.outside:
            return _error(400, OUTSIDE_MESSAGE.format(what=" and ".join(found.outside)))
        return _error(403, UPDATE_MESSAGE)
    query = body_query if body_query is not None else _single(params, "query")
    if query is None or not query.strip():
        return _error(
            400,
            "Missing query: send a SPARQL query as the `query` parameter (GET or POST form) "
            "or as an application/sparql-query body.",
        )
    found = scan(query)
    if found.outside:
        return _error(400, OUTSIDE_MESSAGE.format(what=" and ".join(found.outside)))
    if found.form in UPDATE_KEYWORDS:
        return _error(403, UPDATE_MESSAGE)
    try:
        solutions, graph = negotiate(request.headers.get("accept"), _single(params, "format"))
    except NotAcceptable as error:
        return _error(406, str(error))
    if solutions is None and graph is None:
        return _error(406, _not_acceptable_message())
    job = {
        "query": query,
        "masked": found.masked,
        "default_graph": _iris(params, "default-graph-uri"),
        "named_graphs": _iris(params, "named-graph-uri"),
        "solutions": solutions,
        "graph": graph,
    }
    answer = await anyio.to_thread.run_sync(state.pool.run, job)
    if answer[0] == "ok":
        _ok, media, body = answer
        content_type = (
            media if "charset" in media or media.endswith("+xml") else f"{media}; charset=utf-8"
        )
        return Response(body, headers={"content-type": content_type, "vary": "Accept"})
    status, message = answer[1], answer[2]
    if len(answer) > 3:
        log.error("query failed: %s", answer[3])
    return _error(status, message)


def catalogue_entries(lang: str) -> list[dict[str, Any]]:
    """The query catalogue as JSON-ready entries, each query text with its default
    parameters bound (and `lang` bound to the page's language)."""
    try:
        queries = catalogue.catalogue()
    except (OSError, catalogue.CatalogueError) as error:
        log.warning("no query catalogue: %s", error)
        return []
    entries = []
    for name, entry in queries.items():
        values = {"lang": lang} if any(p.name == "lang" for p in entry.parameters) else {}
        try:
            text, complete = catalogue.bound_text(entry, values), True
        except catalogue.CatalogueError:
            text, complete = entry.text, False
        entries.append(
            {
                "name": name,
                "title": entry.title,
                "description": entry.description,
                "question": entry.question,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "default": p.default,
                        "description": p.description,
                    }
                    for p in entry.parameters
                ],
                "query": text,
                "complete": complete,
            }
        )
    return entries


async def catalogue_json(request: Request) -> Response:
    """The query catalogue: names, titles, descriptions, parameters and bound query texts."""
    state: ServerState = request.app.state.partenariat
    lang = request.query_params.get("lang") or state.lang
    if not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", lang):
        return _error(400, f"`lang`: {lang!r} is not a language tag.")
    entries = await anyio.to_thread.run_sync(catalogue_entries, lang)
    return JSONResponse(entries)


def network_picture(store: ox.Store, lang: str) -> bytes:
    """The two-mode partnership network of a store as SVG (recipients are left out by
    the affiliation query)."""
    from partenariat import network
    from partenariat.api import solution_rows

    entry = catalogue.resolve(network.AFFILIATIONS_QUERY)
    solutions = store.query(
        catalogue.bound_text(entry, {"lang": lang}), use_default_graph_as_union=True
    )
    rows = solution_rows(solutions)
    graph = network.network(network.affiliations_from_rows(rows), "two-mode")
    with tempfile.TemporaryDirectory(prefix="partenariat-network-") as folder:
        path = Path(folder) / "network.svg"
        network.draw(graph, path, "svg")
        return path.read_bytes()


async def network_svg(request: Request) -> Response:
    """The partnership network picture, drawn once from the served store."""
    state: ServerState = request.app.state.partenariat

    def draw() -> bytes:
        with state.network_lock:
            if state.network_svg is None:
                state.network_svg = network_picture(state.store, state.lang)
            return state.network_svg

    try:
        body = await anyio.to_thread.run_sync(draw)
    except catalogue.CatalogueError as error:
        return _error(404, f"No network picture: {error}")
    return Response(body, media_type="image/svg+xml", headers={"cache-control": "max-age=3600"})


ONTOLOGY_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


def _ontology_graph_bytes(fmt: str) -> bytes:
    """The ontology and its concept schemes, serialised with rdflib in one format."""
    from rdflib import Graph

    from partenariat.corpus import model_files, parse_turtle, project_root

    graph = Graph()
    for path in model_files(project_root(), ("ontology",)):
        parse_turtle(path, graph)
    for name, iri in PREFIXES.items():
        graph.bind(name, iri)
    return graph.serialize(format=fmt, encoding="utf-8")


async def ontology_docs(request: Request) -> Response:
    """The ontology at /ontology: RDF by content negotiation (Turtle, RDF/XML, JSON-LD,
    N-Triples), else its HTML documentation, generated on first request and kept."""
    state: ServerState = request.app.state.partenariat
    path = request.path_params.get("path", "")
    if not path:
        accept = request.headers.get("accept", "")
        for media, fmt in ONTOLOGY_TYPES.items():
            if media in accept:
                body = await anyio.to_thread.run_sync(_ontology_graph_bytes, fmt)
                return Response(body, media_type=media)
        lang = request.query_params.get("lang") or state.lang
        return RedirectResponse(
            f"/ontology/{lang if lang in ('fr', 'en') else 'fr'}/index.html", 303
        )

    def generate() -> Path:
        with state.network_lock:
            if state.docs_dir is None:
                from partenariat import docs

                folder = Path(tempfile.mkdtemp(prefix="partenariat-docs-")) / "docs"
                docs.build_docs(folder)
                state.docs_dir = folder
            return state.docs_dir

    folder = await anyio.to_thread.run_sync(generate)
    target = (folder / path).resolve()
    if not target.is_relative_to(folder.resolve()) or not target.is_file():
        return _error(404, f"No such documentation page: /ontology/{path}")
    return FileResponse(target)


async def index(request: Request) -> Response:
    """The web page: a SPARQL editor, the catalogue as examples, results, the network."""
    state: ServerState = request.app.state.partenariat
    lang = request.query_params.get("lang") or state.lang
    if lang not in ("fr", "en"):
        lang = "fr"
    html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    prefixes = json.dumps(PREFIXES).replace("</", "<\\/")
    html = (
        html.replace("__LANG__", lang)
        .replace("__PROFILE__", "full" if state.full else "public")
        .replace("__PREFIXES__", prefixes)
    )
    return HTMLResponse(html)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = _error(exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "Internal server error (the error is logged).")


def create_app(
    store_path: Path | str | None = None,
    full: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
    lang: str = "fr",
    workers: int = DEFAULT_WORKERS,
    store: ox.Store | None = None,
) -> Starlette:
    """The ASGI application over a store folder or RDF file (default build/store), or over
    a given pyoxigraph store: its public profile, or the full graph when full is true.

    Queries run in `workers` worker processes with a time limit of `timeout_s` seconds
    and at most `max_rows` rows or triples per result.
    """
    if timeout_s <= 0 or max_rows < 0:
        raise ValueError("timeout_s must be positive and max_rows not negative")
    if store is None:
        served = load_store(store_path, full=full)
    elif full:
        served = store
    else:
        served = ox.Store()
        served.bulk_extend(profile.public_quads(store))
    pool = QueryPool(served, workers, timeout_s, max_rows)
    state = ServerState(store=served, pool=pool, lang=lang, full=full)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(pool.start)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(pool.close)
            if state.docs_dir is not None:
                shutil.rmtree(state.docs_dir.parent, ignore_errors=True)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/query", sparql_endpoint, methods=["GET", "POST"]),
        Route("/catalogue.json", catalogue_json, methods=["GET"]),
        Route("/network.svg", network_svg, methods=["GET"]),
        Route("/ontology", ontology_docs, methods=["GET"]),
        Route("/ontology/{path:path}", ontology_docs, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=WEB_DIR / "static"), name="static"),
    ]
    middleware = [
        Middleware(
            CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"]
        )
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
    )
    app.state.partenariat = state
    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    store_path: Path | str | None = None,
    full: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
    lang: str = "fr",
    workers: int = DEFAULT_WORKERS,
) -> None:
    """Serve the endpoint and its page with uvicorn until interrupted."""
    import uvicorn

    app = create_app(
        store_path, full=full, timeout_s=timeout_s, max_rows=max_rows, lang=lang, workers=workers
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
