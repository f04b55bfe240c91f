"""The `partenariat` command: a thin layer over the modules of the package, one command each."""

from __future__ import annotations

import enum
import sys
import time
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from partenariat import build as build_module
from partenariat import catalogue, corpus, store
from partenariat.api import KnowledgeGraph
from partenariat.namespaces import expand, shorten
from partenariat.validate import validate_graph

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="An open knowledge graph of French educational-partnership policy.",
)
out = Console()
err = Console(stderr=True)

EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2


class ReportFormat(enum.StrEnum):
    text = "text"
    turtle = "turtle"
    json = "json"


class Lang(enum.StrEnum):
    fr = "fr"
    en = "en"


class ResultFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print one error line on stderr and return the exit to raise."""
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def build(
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Build folder (default: build/ in the project).")
    ] = None,
    inference: Annotated[
        bool, typer.Option("--inference/--no-inference", help="Add OWL 2 RL inferences.")
    ] = True,
) -> None:
    """Parse, validate, reason, load the embedded store and write the release files."""
    started = time.perf_counter()
    try:
        with err.status("building…") as status:
            report = build_module.build(
                out=out_dir, inference=inference, step=lambda name: status.update(f"{name}…")
            )
    except corpus.CorpusError as error:
        raise fail(str(error)) from None
    except build_module.ValidationFailed as failure:
        err.print(failure.report.as_text(), markup=False, highlight=False, soft_wrap=True)
        raise fail("the corpus breaks the shapes; nothing was written", EXIT_VIOLATIONS) from None
    except (store.StoreError, OSError) as error:
        raise fail(f"build failed, previous build left as it was: {error}") from None
    target = out_dir or build_module.default_out(corpus.project_root())
    out.print(
        f"built {report.triples} triples (+{report.inferred_triples} inferred), "
        f"{report.individuals} individuals, {report.classes} classes "
        f"in {time.perf_counter() - started:.1f} s → {target}",
        highlight=False,
        soft_wrap=True,
    )


class ValidationEngine(enum.StrEnum):
    pyshacl = "pyshacl"
    sparql = "sparql"


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Turtle files to check (default: the whole corpus).")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="Report format.")
    ] = ReportFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the messages.")] = Lang.fr,
    engine: Annotated[
        ValidationEngine,
        typer.Option("--engine", help="pyshacl, or sparql: the shapes compiled to SPARQL (same results, for large graphs)."),
    ] = ValidationEngine.pyshacl,
    store_dir: Annotated[
        Path | None,
        typer.Option("--store", help="Validate a store folder (built or bulk-loaded) with the sparql engine."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes for --store (sparql engine).")] = 2,
) -> None:
    """Check the corpus, or the given files in the corpus's context, or a store, against the shapes.

    Exit 0 when it conforms, 1 on violations, 2 on unreadable input.
    """
    from partenariat import shacl_sparql

    try:
        root = corpus.project_root()
        shapes = corpus.load_shapes(root)
        if store_dir is not None:
            graphs = shacl_sparql.asserted_graphs(store.open_store(store_dir))
            report = shacl_sparql.validate_store(store_dir, shapes, workers=max(1, workers), graphs=graphs)
        else:
            files = corpus.model_files(root)
            extra = [p for p in (paths or []) if p.resolve() not in {f.resolve() for f in files}]
            model = corpus.load(files + extra, root=root)
            if engine is ValidationEngine.sparql:
                report = shacl_sparql.validate_corpus(model, shapes)
            else:
                report = validate_graph(model.union(), shapes, model.locations)
    except (corpus.CorpusError, store.StoreError) as error:
        raise fail(str(error)) from None
    if paths:
        wanted = {p.resolve() for p in paths}
        report.focus_nodes = [
            node
            for node in report.focus_nodes
            if node.location and Path(node.location.rsplit(":", 1)[0]).resolve() in wanted
        ]
        report.conforms = not report.focus_nodes
    if fmt is ReportFormat.json:
        out.print_json(report.as_json())
    elif fmt is ReportFormat.turtle:
        sys.stdout.write(report.as_turtle())
    else:
        out.print(report.as_text(lang.value), markup=False, highlight=False, soft_wrap=True)
    if not report.conforms:
        raise typer.Exit(EXIT_VIOLATIONS)


class ServerKind(enum.StrEnum):
    oxigraph = "oxigraph"
    virtuoso = "virtuoso"
    generic = "generic"


class AuthKind(enum.StrEnum):
    none = "none"
    basic = "basic"
    digest = "digest"


def remote_endpoint(
    server: ServerKind,
    endpoint: str | None,
    query_url: str | None,
    update_url: str | None,
    gsp_url: str | None,
    user: str | None,
    password_env: str | None,
    auth: AuthKind | None,
):
    """The remote.Endpoint the options describe; the password comes from an environment variable."""
    import os

    from partenariat import remote

    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise fail(f"--password-env {password_env}: that environment variable is not set")
    if user and not password_env:
        raise fail(
            "--user needs --password-env VAR (the password is never read from the command line)"
        )
    if server is ServerKind.oxigraph:
        if not endpoint:
            raise fail("--server oxigraph needs --endpoint BASE_URL (e.g. http://127.0.0.1:7878)")
        return remote.Endpoint.oxigraph(endpoint)
    if server is ServerKind.virtuoso:
        if not endpoint:
            raise fail("--server virtuoso needs --endpoint BASE_URL (e.g. http://127.0.0.1:8890)")
        return remote.Endpoint.virtuoso(endpoint, user or "dba", password or "dba")
    query = query_url or endpoint
    if not query:
        raise fail("give --endpoint (the query URL) or --query-url")
    kind = auth.value if auth else ("digest" if user else "none")
    return remote.Endpoint.generic(
        query, update_url, gsp_url, auth=kind, user=user, password=password
    )


ServerOption = Annotated[
    ServerKind, typer.Option("--server", help="Preset URLs of a known server, or generic.")
]
EndpointOption = Annotated[
    str | None, typer.Option("--endpoint", help="Base URL (oxigraph, virtuoso) or query URL.")
]
QueryUrlOption = Annotated[str | None, typer.Option("--query-url", help="SPARQL query URL.")]
UpdateUrlOption = Annotated[str | None, typer.Option("--update-url", help="SPARQL Update URL.")]
GspUrlOption = Annotated[str | None, typer.Option("--gsp-url", help="Graph Store Protocol URL.")]
UserOption = Annotated[str | None, typer.Option("--user", help="User name for the server.")]
PasswordEnvOption = Annotated[
    str | None, typer.Option("--password-env", help="Environment variable holding the password.")
]
AuthOption = Annotated[AuthKind | None, typer.Option("--auth", help="HTTP authentication.")]


STATS_QUERIES = {
    "class": """
        SELECT ?key (COUNT(DISTINCT ?s) AS ?count) WHERE {
          ?s a ?key . FILTER(isIRI(?key) && STRSTARTS(STR(?s), "https://w3id.org/partenariat/id/"))
        } GROUP BY ?key ORDER BY DESC(?count) ?key""",
    "case": """
        PREFIX part: <https://w3id.org/partenariat/def#>
        SELECT ?key (COUNT(DISTINCT ?s) AS ?count) WHERE {
          GRAPH ?g { ?case a part:CaseStudy ; part:caseNumber ?n . ?s a ?type . FILTER(isIRI(?s)) }
          BIND(CONCAT("Encadré ", STR(?n)) AS ?key)
        } GROUP BY ?key ORDER BY ?key""",
    "concept scheme": """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?key (COUNT(DISTINCT ?c) AS ?count) WHERE {
          ?c skos:inScheme ?scheme . ?scheme skos:prefLabel ?key . FILTER(LANG(?key) = "en")
        } GROUP BY ?key ORDER BY ?key""",
}


@app.command()
def stats(
    store_dir: Annotated[
        Path | None, typer.Option("--store", help="Store folder (default: build/store).")
    ] = None,
) -> None:
    """Counts of individuals by class, by case and of concepts by concept scheme."""
    try:
        graph = KnowledgeGraph(store_dir)
    except store.StoreError as error:
        raise fail(str(error)) from None
    for title, sparql in STATS_QUERIES.items():
        table = Table(title=f"by {title}")
        table.add_column(title)
        table.add_column("count", justify="right")
        for row in graph.select(sparql):
            key = row["key"]
            table.add_row(shorten(str(key)), str(row["count"]))
        out.print(table)


@app.command("queries")
def list_queries() -> None:
    """List the query catalogue: name, competency question, title, parameters."""
    table = Table(title="queries/")
    for column in ("name", "question", "title", "parameters"):
        table.add_column(column)
    for name, entry in catalogue.catalogue().items():
        params = ", ".join(
            f"{p.name}:{p.type}" + (f"={p.default}" if p.default else "") for p in entry.parameters
        )
        table.add_row(name, entry.question or "", entry.title, params)
    out.print(table)


def _parse_params(pairs: list[str]) -> dict[str, str]:
    """`key=value` pairs into a dict, refusing malformed ones."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise catalogue.CatalogueError(f"--param {pair!r}: expected key=value")
        values[key] = value
    return values


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="A catalogue name or a path to an .rq file.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value.")
    ] = None,
    fmt: Annotated[
        ResultFormat, typer.Option("--format", help="Output format.")
    ] = ResultFormat.table,
    store_dir: Annotated[
        Path | None, typer.Option("--store", help="Store folder (default: build/store).")
    ] = None,
    server: ServerOption = ServerKind.generic,
    endpoint: EndpointOption = None,
    user: UserOption = None,
    password_env: PasswordEnvOption = None,
    auth: AuthOption = None,
) -> None:
    """Run one query of the catalogue (or a file) on the embedded store, or on a remote
    endpoint with --endpoint."""
    from partenariat import remote

    try:
        entry = catalogue.resolve(name)
        text = catalogue.bound_text(entry, _parse_params(param or []))
        if endpoint:
            target = remote_endpoint(server, endpoint, None, None, None, user, password_env, auth)
            document = remote.query_document(
                target, text, "json" if fmt is ResultFormat.table else fmt.value
            )
            if fmt is not ResultFormat.table:
                sys.stdout.buffer.write(document)
                sys.stdout.flush()
                return
            solutions = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
        else:
            graph = KnowledgeGraph(store_dir)
            solutions = graph.store.query(text, use_default_graph_as_union=True)
    except (catalogue.CatalogueError, store.StoreError, remote.RemoteError) as error:
        raise fail(str(error)) from None
    except SyntaxError as error:
        raise fail(f"{entry.path}: SPARQL syntax {_position(error)}") from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise fail(f"{entry.path}: only SELECT queries are in the catalogue")
    if fmt is ResultFormat.table:
        names = [v.value for v in solutions.variables]
        table = Table(title=entry.title or entry.name)
        for column in names:
            table.add_column(column)
        for solution in solutions:
            table.add_row(*(_cell(solution[column]) for column in names))
        if table.row_count:
            out.print(table)
        else:
            out.print(f"{entry.name}: no result", highlight=False)
        return
    formats = {
        ResultFormat.csv: ox.QueryResultsFormat.CSV,
        ResultFormat.tsv: ox.QueryResultsFormat.TSV,
        ResultFormat.json: ox.QueryResultsFormat.JSON,
        ResultFormat.xml: ox.QueryResultsFormat.XML,
    }
    sys.stdout.buffer.write(solutions.serialize(format=formats[fmt]))
    sys.stdout.flush()


def _position(error: SyntaxError) -> str:
    """pyoxigraph's `error at LINE:COLUMN: …` as `error at line LINE, column COLUMN: …`."""
    import re

    match = re.match(r"error at (\d+):(\d+): (.*)", str(error), re.S)
    if not match:
        return f"error: {error}"
    return f"error at line {match.group(1)}, column {match.group(2)}: {match.group(3)}"


def _cell(term: object) -> str:
    """A result cell: prefixed IRI, or the literal's text (with its language)."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return str(term)


class Protocol(enum.StrEnum):
    gsp = "gsp"
    update = "update"


@app.command("load")
def load_command(
    server: ServerOption = ServerKind.generic,
    endpoint: EndpointOption = None,
    query_url: QueryUrlOption = None,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
    user: UserOption = None,
    password_env: PasswordEnvOption = None,
    auth: AuthOption = None,
    protocol: Annotated[
        Protocol, typer.Option("--protocol", help="How to send the triples.")
    ] = Protocol.gsp,
    graph: Annotated[
        str | None, typer.Option("--graph", help="Load everything into this one named graph.")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Send the whole graph, personal data included.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Triples per request.")
    ] = 500,
    store_dir: Annotated[
        Path | None, typer.Option("--store", help="Store folder (default: build/store).")
    ] = None,
) -> None:
    """Push the built graph (its public profile unless --full) into a SPARQL 1.1 store."""
    from partenariat import remote

    target = remote_endpoint(
        server, endpoint, query_url, update_url, gsp_url, user, password_env, auth
    )
    try:
        dataset = remote.release_dataset(store_dir, full=True)  # load() applies the profile
        data = dataset
        if graph:
            merged = {graph: [t for g in dataset.graphs() for t in g]}
            data = merged
        with err.status("loading…"):
            report = remote.load(
                target, data, protocol=protocol.value, batch_size=batch_size, public=not full
            )
    except store.StoreError as error:
        raise fail(str(error)) from None
    except remote.RemoteError as error:
        raise fail(f"{error}; the server's previous graphs are left as they were") from None
    out.print(
        f"loaded {report.triples} triples in {len(report.graphs)} graph(s) into {target} "
        f"({report.protocol}, {report.requests} requests, {report.retries} retries, "
        f"{report.withheld} triples withheld by the public profile, {report.seconds:.1f} s)",
        highlight=False,
        soft_wrap=True,
    )


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    full: Annotated[
        bool, typer.Option("--full", help="Serve the whole graph, personal data included.")
    ] = False,
    timeout_s: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Query time limit, seconds.")
    ] = 10.0,
    max_rows: Annotated[int, typer.Option("--max-rows", min=1, help="Result-size limit.")] = 10_000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Query worker processes.")] = 2,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the page.")] = Lang.fr,
    store_dir: Annotated[
        Path | None,
        typer.Option("--store", help="Store folder or RDF file (default: build/store)."),
    ] = None,
) -> None:
    """A read-only SPARQL endpoint (/sparql) and its web page (/) over the public profile."""
    from partenariat import server

    try:
        server.serve(
            host=host,
            port=port,
            store_path=store_dir,
            full=full,
            timeout_s=timeout_s,
            max_rows=max_rows,
            lang=lang.value,
            workers=workers,
        )
    except (store.StoreError, corpus.CorpusError) as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"cannot serve on {host}:{port} ({error.strerror or error})") from None


@app.command("release")
def release_command(
    version: Annotated[str, typer.Option("--version", help="Release version, X.Y.Z.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the release to.")],
    full: Annotated[
        bool, typer.Option("--full", help="Release the whole graph, personal data included.")
    ] = False,
    store_dir: Annotated[
        Path | None, typer.Option("--store", help="Store folder (default: build/store).")
    ] = None,
) -> None:
    """A citable release: ontology (Turtle, RDF/XML, JSON-LD), graph (TriG, one named graph
    per case; N-Quads), public profile, VoID and DCAT, checksums and CITATION.cff."""
    from partenariat import release

    try:
        report = release.make_release(version, out_dir, store_path=store_dir, full=full)
    except (release.ReleaseError, store.StoreError, corpus.CorpusError) as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"{out_dir}: cannot be written ({error.strerror or error})") from None
    out.print(
        f"released {report.version}: {report.triples} quads in {report.graphs} graphs, "
        f"{len(report.files)} files → {report.folder}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("export")
def export_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the chunks to.")],
    chunk_quads: Annotated[
        int, typer.Option("--chunk-size", help="Quads per .nq.gz chunk.")
    ] = 1_000_000,
    full: Annotated[
        bool, typer.Option("--full", help="Export the whole graph, personal data included.")
    ] = False,
    store_dir: Annotated[
        Path | None, typer.Option("--store", help="Store folder (default: build/store).")
    ] = None,
) -> None:
    """Chunked gzip N-Quads with a manifest, for bulk loaders (Virtuoso ld_dir, oxigraph
    load, GraphDB, Neptune); the public profile unless --full."""
    from partenariat import export

    try:
        graph = store.open_store(store_dir or build_module.default_store(corpus.project_root()))
        report = export.export_chunks(graph, out_dir, chunk_quads=chunk_quads, public=not full)
    except (export.ExportError, store.StoreError) as error:
        raise fail(str(error)) from None
    out.print(
        f"exported {report.quads} quads ({'public profile' if report.public else 'full graph'}) "
        f"in {len(report.chunks)} chunk(s) → {out_dir} ({report.seconds:.1f} s)",
        highlight=False,
        soft_wrap=True,
    )


class NetworkMode(enum.StrEnum):
    two_mode = "two-mode"
    actors = "actors"
    schemes = "schemes"


class NetworkFormat(enum.StrEnum):
    gexf = "gexf"
    graphml = "graphml"
    json = "json"
    png = "png"
    svg = "svg"


@app.command("network")
def network_command(
    mode: Annotated[
        NetworkMode, typer.Option("--mode", help="Which network.")
    ] = NetworkMode.two_mode,
    fmt: Annotated[
        NetworkFormat, typer.Option("--format", help="File format.")
    ] = NetworkFormat.gexf,
    out_file: Annotated[Path | None, typer.Option("--out", help="File to write.")] = None,
    show_measures: Annotated[
        bool, typer.Option("--measures", help="Print the table of measures instead.")
    ] = False,
    ego: Annotated[
        str | None, typer.Option("--ego", help="Keep only this node's ego network (pid:… or IRI).")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.fr,
    sample: Annotated[
        int | None,
        typer.Option("--sample", help="Estimate betweenness from this many sampled sources (large networks)."),
    ] = None,
    no_brokerage: Annotated[
        bool, typer.Option("--no-brokerage", help="Skip the brokerage roles (quadratic in the degree).")
    ] = False,
    store_dir: Annotated[
        Path | None, typer.Option("--store", help="Store folder (default: build/store).")
    ] = None,
) -> None:
    """The partnership network: export it for Gephi, draw it, or print its measures."""
    from partenariat import network

    try:
        graph_store = KnowledgeGraph(store_dir)
        rows = graph_store.query(network.AFFILIATIONS_QUERY, lang=lang.value)
        graph = network.network(network.affiliations_from_rows(rows), mode.value)
        if ego:
            graph = network.ego_network(graph, expand(ego))
    except (store.StoreError, catalogue.CatalogueError, network.NetworkError) as error:
        raise fail(str(error)) from None
    if show_measures:
        table = Table(
            title=f"{mode.value} network: {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges"
        )
        for column in (
            "node",
            "type",
            "cases",
            "degree",
            "weighted",
            "betweenness",
            "component",
            "brokerage",
        ):
            table.add_column(column)
        if sample is not None and sample < 1:
            raise fail(f"--sample must be a positive number of sources, not {sample}")
        for row in network.measures(graph, sample=sample, with_brokerage=not no_brokerage):
            roles = ", ".join(f"{k} {v}" for k, v in sorted(row.brokerage.items()))
            table.add_row(
                row.label,
                row.organisation_type or row.kind,
                row.cases,
                str(row.degree),
                f"{row.weighted_degree:g}",
                f"{row.betweenness:.3f}",
                str(row.component),
                roles,
            )
        out.print(table)
        return
    target = out_file or Path(f"partenariat-{mode.value}.{fmt.value}")
    try:
        network.write(graph, target, fmt.value)
    except OSError as error:
        raise fail(f"{target}: cannot be written ({error.strerror})") from None
    out.print(
        f"wrote {target} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
        highlight=False,
    )


@app.command()
def docs(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Documentation folder (replaced as a whole).")
    ],
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the pages: fr, en or both.")
    ] = "both",
) -> None:
    """Write the HTML documentation: ontology (pyLODE), concept schemes, queries, class diagram."""
    from partenariat import docs as docs_module

    if lang not in {*(item.value for item in Lang), "both"}:
        raise fail(f"--lang {lang}: expected fr, en or both")
    langs = [item.value for item in Lang] if lang == "both" else [lang]
    try:
        report = docs_module.build_docs(out_dir, langs)
    except (docs_module.DocsError, catalogue.CatalogueError) as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"{out_dir}: cannot be written ({error.strerror or error})") from None
    out.print(
        f"wrote {len(report.files)} files in {report.seconds:.1f} s → {out_dir}",
        highlight=False,
        soft_wrap=True,
    )


class CaseFormat(enum.StrEnum):
    yaml = "yaml"
    csv = "csv"
    xlsx = "xlsx"


@app.command("new-case")
def new_case_command(
    case_id: Annotated[str, typer.Argument(help="The case id, e.g. encadre-7.")],
    out_file: Annotated[Path, typer.Option("--out", help="The template to write (a folder for csv).")],
    fmt: Annotated[CaseFormat, typer.Option("--format", help="Template form.")] = CaseFormat.yaml,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an empty case template: YAML (allowed values in comments), CSV sheets or XLSX."""
    from partenariat import authoring, spreadsheet

    if out_file.exists() and not force:
        raise fail(f"{out_file} already exists; pass --force to overwrite it", EXIT_VIOLATIONS)
    try:
        if fmt == CaseFormat.yaml:
            authoring.write_atomically(out_file, authoring.new_template(case_id))
        else:
            spreadsheet.write_template(out_file, spreadsheet.empty_rows(case_id), fmt.value)
    except corpus.CorpusError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"{out_file}: cannot be written ({error.strerror or error})") from None
    out.print(f"wrote {out_file}; fill it in, then: partenariat import {out_file}", highlight=False, soft_wrap=True)


@app.command("import")
def import_command(
    template: Annotated[
        Path, typer.Argument(help="A filled case template: YAML, a folder of CSV sheets, or an XLSX workbook.")
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing case file.")] = False,
) -> None:
    """Check a filled case template and write it as data/cases/<id>.ttl."""
    from partenariat import authoring

    try:
        result = authoring.import_case(template, force=force)
    except authoring.AuthoringError as error:
        if len(error.messages) == 1:
            raise fail(error.messages[0], error.code) from None
        for message in error.messages:
            err.print(message, markup=False, highlight=False, soft_wrap=True)
        raise fail(f"{len(error.messages)} problem(s); nothing was written", error.code) from None
    except corpus.CorpusError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"cannot write the case file ({error.strerror or error})") from None
    out.print(f"wrote {result.path} ({result.triples} triples, case {result.case})", highlight=False, soft_wrap=True)


@app.command("export-case")
def export_case_command(
    case_id: Annotated[str, typer.Argument(help="A case id (encadre-1) or case file name.")],
    fmt: Annotated[CaseFormat, typer.Option("--format", help="Output format.")] = CaseFormat.yaml,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Write to a file (a folder for csv); yaml goes to stdout without it."),
    ] = None,
) -> None:
    """Give an existing case back as a filled template: YAML, a folder of CSV sheets, or XLSX."""
    from partenariat import authoring

    if fmt != CaseFormat.yaml and out_file is None:
        what = "a folder of sheets; give it with --out DIR" if fmt == CaseFormat.csv else "a workbook; give it with --out FILE.xlsx"
        raise fail(f"--format {fmt.value} writes {what}", EXIT_BAD_INPUT)
    try:
        text = authoring.export_case(case_id, fmt=fmt.value, out=out_file)
    except authoring.AuthoringError as error:
        raise fail("; ".join(error.messages), error.code) from None
    except corpus.CorpusError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"{out_file}: cannot be written ({error.strerror or error})") from None
    if fmt != CaseFormat.yaml:
        out.print(f"wrote {out_file} ({fmt.value})", highlight=False)
        return
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        authoring.write_atomically(out_file, text)
    except OSError as error:
        raise fail(f"{out_file}: cannot be written ({error.strerror or error})") from None
    out.print(f"wrote {out_file}", highlight=False)


class SynthFormat(enum.StrEnum):
    nt = "nt"
    nq = "nq"


@app.command("bulk-load")
def bulk_load_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="RDF files: .nt .nq .ttl .trig .rdf .owl .jsonld, optionally .gz."),
    ],
    store_dir: Annotated[
        Path, typer.Option("--store", help="Store folder to create or replace.")
    ],
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="Named graph for the triples files (default: the default graph)."),
    ] = None,
    inference: Annotated[
        bool,
        typer.Option("--inference/--no-inference", help="Add the build's OWL 2 RL inferences."),
    ] = False,
    lenient: Annotated[
        bool, typer.Option("--lenient", help="Skip IRI and literal checks (faster, for trusted files).")
    ] = False,
) -> None:
    """Load large RDF files (a synthetic national graph, a release) into an embedded store
    that `query`, `validate --store`, `network` and `serve` then use with --store."""
    from partenariat import bulk

    try:
        with err.status("loading…") as status:
            report = bulk.bulk_load(
                files,
                store_dir,
                graph=graph,
                inference=inference,
                lenient=lenient,
                step=lambda name: status.update(f"{name}…"),
            )
    except store.StoreError as error:
        raise fail(f"{error}; {store_dir} left as it was") from None
    except OSError as error:
        raise fail(f"{store_dir}: cannot be written ({error}); left as it was") from None
    steps = ", ".join(f"{name} {s:.1f} s" for name, s in report.seconds.items())
    inferred = "" if report.inferred is None else f" (+{report.inferred} inferred)"
    out.print(
        f"loaded {report.quads} quads{inferred} from {len(files)} file(s) ({steps}) → {store_dir}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("synth")
def synth_command(
    out_file: Annotated[
        Path, typer.Option("--out", help="File to write (N-Triples; N-Quads with --format nq).")
    ],
    scale: Annotated[
        str,
        typer.Option(
            "--scale", help="small (~100k triples), medium (~1M), national (~10M) or a triple count."
        ),
    ] = "small",
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed and scale give the same bytes.")
    ] = 0,
    fmt: Annotated[
        SynthFormat,
        typer.Option("--format", help="nt, or nq with a named graph per département."),
    ] = SynthFormat.nt,
    with_cases: Annotated[
        bool, typer.Option("--with-cases", help="Copy the real corpus (ontology, six cases, data) in too.")
    ] = False,
) -> None:
    """Write a deterministic synthetic graph (fictitious territories, actors, schemes,
    fundings and pathways, conforming to the shapes) for benchmarks."""
    from partenariat import synth

    try:
        result = synth.generate(out_file, scale, seed=seed, fmt=fmt.value, with_cases=with_cases)
    except synth.SynthError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"{out_file}: cannot be written ({error.strerror or error})") from None
    out.print(
        f"wrote {result.triples} triples ({result.departements} département(s), "
        f"{result.pathways} pathways) in {result.seconds:.1f} s "
        f"({result.triples_per_second:,.0f} triples/s) → {out_file}",
        highlight=False,
        soft_wrap=True,
    )


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
