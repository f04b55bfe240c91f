"""National scale: generate, load, infer, validate, query, network and export, with targets.

Every stage runs in its own process (so that its peak memory is its own), side by side in
one run, and the table compares each figure with its target; the figures also go to a JSON
file. A stage that misses its target says by how much; the data are never shrunk to pass.

Run: .venv/bin/python bench/bench_scale.py [--scale national] [--seed 1] [--work DIR]
     [--runs 5] [--stages generate,load,...] [--json bench/results/scale-national.json]
Stages: generate load rdflib-load inference validate incremental queries rdflib-queries
network export virtuoso oxigraph-server (default: all).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STAGES = (
    "generate", "load", "rdflib-load", "validate", "incremental", "inference", "queries",
    "rdflib-queries", "network", "export", "virtuoso", "oxigraph-server",
)
GIB = 1024**3
# The targets of issue 5 on a 2-core, 24 GiB machine at national scale (~10M triples).
TARGETS = {
    "generate triples/s": (">=", 100_000),
    "load triples/s": (">=", 200_000),
    "load peak GiB": ("<", 4),
    "inference s": ("<", 120),
    "validate s": ("<", 300),
    "validate peak GiB": ("<", 12),
    "incremental s": ("<", 2),
    "slowest scoped query median s": ("<", 1),
    "slowest national query median s": ("<", 5),
    "network s": ("<", 60),
}
NATIONAL_QUERIES = {"funding-flows", "network-affiliations", "territory-hierarchy", "timeline"}


def peak_gib() -> float:
    """The peak resident memory of this process or of any of its workers, in GiB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) * 1024 / GIB


def data_file(work: Path, scale: str, seed: int) -> Path:
    """Where the generated graph of a scale lives."""
    return work / f"{scale}-{seed}.nq"


def store_dir(work: Path, scale: str, seed: int) -> Path:
    """Where the loaded store of a scale lives."""
    return work / f"{scale}-{seed}.store"


def open_store(path: Path, read_only: bool = True):
    import pyoxigraph as ox

    return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))


# -- stages, each run in a child process -----------------------------------------------------


def stage_generate(args: argparse.Namespace) -> dict[str, Any]:
    from partenariat import synth

    target = data_file(args.work, args.scale, args.seed)
    result = synth.generate(target, args.scale, seed=args.seed, fmt="nq", with_cases=True)
    return {
        "triples": result.triples,
        "seconds": round(result.seconds, 1),
        "generate triples/s": round(result.triples_per_second),
        "pathways": result.pathways,
        "file GiB": round(target.stat().st_size / GIB, 2),
    }


def stage_load(args: argparse.Namespace) -> dict[str, Any]:
    """`partenariat bulk-load`: pyoxigraph's bulk loader, then the compaction of the store
    (without it every lookup of the later stages is several times slower)."""
    from partenariat import bulk

    source = data_file(args.work, args.scale, args.seed)
    target = store_dir(args.work, args.scale, args.seed)
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    report = bulk.bulk_load([source], target)
    seconds = time.perf_counter() - started
    return {
        "quads": report.quads,
        "bulk load s": report.seconds["load"],
        "compaction s": report.seconds["compaction"],
        "seconds": round(seconds, 1),
        "bulk load alone triples/s": round(report.quads / report.seconds["load"]),
        "load triples/s": round(report.quads / seconds),
        "load peak GiB": round(peak_gib(), 2),
    }


def stage_rdflib_load(args: argparse.Namespace) -> dict[str, Any]:
    from rdflib import Dataset

    source = data_file(args.work, args.scale, args.seed)
    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(str(source), format="nquads")
    seconds = time.perf_counter() - started
    quads = len(dataset)
    return {
        "quads": quads,
        "seconds": round(seconds, 1),
        "rdflib triples/s": round(quads / seconds),
        "rdflib peak GiB": round(peak_gib(), 2),
    }


def stage_inference(args: argparse.Namespace) -> dict[str, Any]:
    """The build's OWL 2 RL step by SPARQL, on the graph bulk-loaded into a memory store:
    on disk, writing the 4.3M inferred quads alone takes longer than the target."""
    import pyoxigraph as ox

    from partenariat import materialise

    graph = ox.Store()
    started = time.perf_counter()
    graph.bulk_load(path=str(data_file(args.work, args.scale, args.seed)), format=ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    inferred = materialise.materialise(graph)
    seconds = time.perf_counter() - started
    return {
        "inferred": inferred,
        "memory load s": round(loaded, 1),
        "inference s": round(seconds, 1),
        "inference peak GiB": round(peak_gib(), 2),
    }


def stage_validate(args: argparse.Namespace) -> dict[str, Any]:
    from partenariat import corpus, shacl_sparql

    path = store_dir(args.work, args.scale, args.seed)
    shapes = corpus.load_shapes(ROOT)
    started = time.perf_counter()
    report = shacl_sparql.validate_store(path, shapes, workers=2, graphs=shacl_sparql.asserted_graphs(open_store(path)))
    seconds = time.perf_counter() - started
    return {
        "conforms": report.conforms,
        "violations": report.violation_count,
        "validate s": round(seconds, 1),
        "validate peak GiB": round(peak_gib(), 2),
        "workers": 2,
    }


def new_case():
    """A new case of a few hundred triples: Encadré 3 copied as case 7, every node it
    defines renamed, the nodes it cites from elsewhere (programmes, places, concepts) kept."""
    from rdflib import RDF, Graph, Literal, URIRef

    from partenariat.namespaces import PART

    source = Graph().parse(ROOT / "data" / "cases" / "encadre-3-valenciennes.ttl")
    defined = {s for s in source.subjects(RDF.type, None) if isinstance(s, URIRef)}

    def renamed(term):
        return URIRef(f"{term}-bench") if term in defined else term

    copy = Graph()
    for s, p, o in source:
        if p == URIRef(PART + "caseNumber"):
            o = Literal(7)
        copy.add((renamed(s), p, renamed(o)))
    return copy


def stage_incremental(args: argparse.Namespace) -> dict[str, Any]:
    import pyoxigraph as ox

    from partenariat import corpus, shacl_sparql, store

    name = ox.NamedNode("https://w3id.org/partenariat/graph/data/cases/encadre-7-bench")
    delta = [ox.Quad(*(store.to_oxigraph(t) for t in triple), name) for triple in new_case()]
    path = store_dir(args.work, args.scale, args.seed)
    validator = shacl_sparql.ShaclSparqlValidator(corpus.load_shapes(ROOT), graphs=None if (asserted := shacl_sparql.asserted_graphs(open_store(path))) is None else [*asserted, name.value])
    target = open_store(path, read_only=False)
    try:
        started = time.perf_counter()
        target.extend(delta)
        report = validator.validate_delta(target, added=name)
        seconds = time.perf_counter() - started
    finally:
        target.remove_graph(name)
    return {
        "delta triples": len(delta),
        "affected nodes": None if report.affected is None else len(report.affected),
        "conforms": report.report.conforms,
        "incremental s": round(seconds, 2),
    }


def _query_times(run: Callable[[str], int], texts: dict[str, str], runs: int) -> dict[str, dict[str, float]]:
    figures = {}
    for name, text in texts.items():
        times, rows = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = run(text)
            times.append(time.perf_counter() - started)
        times.sort()
        figures[name] = {
            "rows": rows,
            "median s": round(statistics.median(times), 4),
            "p95 s": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 4),
        }
        print(json.dumps({"progress": name, **figures[name]}), flush=True)
    return figures


def stage_queries(args: argparse.Namespace) -> dict[str, Any]:
    from partenariat import catalogue

    graph = open_store(store_dir(args.work, args.scale, args.seed))
    texts = {name: catalogue.bound_text(entry, {}) for name, entry in catalogue.catalogue(ROOT).items()}

    def run(text: str) -> int:
        return sum(1 for _ in graph.query(text, use_default_graph_as_union=True))

    figures = _query_times(run, texts, args.runs)
    scoped = {n: f for n, f in figures.items() if n not in NATIONAL_QUERIES}
    national = {n: f for n, f in figures.items() if n in NATIONAL_QUERIES}
    return {
        "queries": figures,
        "slowest scoped query median s": max(f["median s"] for f in scoped.values()),
        "slowest scoped query": max(scoped, key=lambda n: scoped[n]["median s"]),
        "slowest national query median s": max(f["median s"] for f in national.values()),
        "slowest national query": max(national, key=lambda n: national[n]["median s"]),
        "nation-wide queries, counted": _engine_times(
            lambda text: int(next(iter(graph.query(text, use_default_graph_as_union=True)))["n"].value)
        ),
    }


def stage_rdflib_queries(args: argparse.Namespace) -> dict[str, Any]:
    """rdflib's engine on the same catalogue, on the graph of the scale given (small by
    default): each run of a query in a forked copy of this process, stopped after
    --query-bound seconds (rdflib cannot be interrupted otherwise)."""
    from rdflib import Dataset

    from partenariat import catalogue

    dataset = Dataset(default_union=True)
    dataset.parse(str(data_file(args.work, args.scale, args.seed)), format="nquads")
    texts = {name: catalogue.bound_text(entry, {}) for name, entry in catalogue.catalogue(ROOT).items()}
    figures: dict[str, Any] = {}
    for name, text in texts.items():
        measured = _query_times(lambda t: _bounded(lambda: len(list(dataset.query(t))), args.query_bound),
                                {name: text}, max(1, args.runs // 2))
        figures.update(measured)
    unfinished = sorted(n for n, f in figures.items() if f["rows"] < 0)
    return {"queries": figures, "query bound s": args.query_bound, "unfinished within the bound": unfinished}


def _bounded(run: Callable[[], int], bound: float) -> int:
    """run() in a forked child; its result, or -1 if it takes longer than bound seconds."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(run()))
    child.start()
    if receive.poll(bound):
        rows = receive.recv()
        child.join()
        return rows
    child.kill()
    child.join()
    return -1


def stage_network(args: argparse.Namespace) -> dict[str, Any]:
    import networkx as nx

    from partenariat import network
    from partenariat.api import KnowledgeGraph

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    graph = KnowledgeGraph(store_dir(args.work, args.scale, args.seed))
    rows = graph.query(network.AFFILIATIONS_QUERY, lang="fr")
    figures["affiliations s"] = round(time.perf_counter() - started, 1)
    step = time.perf_counter()
    two_mode = network.two_mode(network.affiliations_from_rows(rows))
    figures["two-mode s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    actors = network.actor_projection(two_mode)
    figures["actor projection s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    measured = network.measures(actors, sample=args.sample, with_brokerage=False)
    figures["actor measures s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    components = nx.number_connected_components(two_mode)
    degrees = max(d for _n, d in two_mode.degree())
    figures["two-mode components and degree s"] = round(time.perf_counter() - step, 1)
    figures["network s"] = round(time.perf_counter() - started, 1)
    figures.update(
        {
            "affiliations": len(rows),
            "two-mode nodes": two_mode.number_of_nodes(),
            "two-mode edges": two_mode.number_of_edges(),
            "two-mode components": components,
            "two-mode max degree": degrees,
            "actor nodes": actors.number_of_nodes(),
            "actor edges": actors.number_of_edges(),
            "betweenness": f"sampled from {args.sample} sources" if args.sample < actors.number_of_nodes() else "exact",
            "top broker": measured[0].label if measured else None,
            "network peak GiB": round(peak_gib(), 2),
        }
    )
    return figures


def stage_export(args: argparse.Namespace) -> dict[str, Any]:
    from partenariat import export

    out = args.work / f"{args.scale}-{args.seed}.chunks"
    report = export.export_chunks(open_store(store_dir(args.work, args.scale, args.seed)), out, public=True)
    return {
        "public quads": report.quads,
        "chunks": len(report.chunks),
        "export GiB": round(sum(c.bytes for c in report.chunks) / GIB, 2),
        "export s": round(report.seconds, 1),
    }


def _chunks(args: argparse.Namespace) -> list[Path]:
    files = sorted((args.work / f"{args.scale}-{args.seed}.chunks").glob("*.nq.gz"))
    if not files:
        raise RuntimeError("no chunks: run the export stage first")
    return files


def stage_virtuoso(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    import servers

    from partenariat import remote

    files = _chunks(args)
    folder = args.work / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = folder / "data"
    data.mkdir()
    for path in files:
        os.link(path, data / path.name)
    buffers = {"NumberOfBuffers": "680000", "MaxDirtyBuffers": "500000"}  # ~8 GB, as Virtuoso advises
    with servers.start_virtuoso(folder=folder, settings={"Parameters": buffers}) as server:
        started = time.perf_counter()
        script = f"ld_dir('{data}', '*.nq.gz', 'urn:partenariat:default'); rdf_loader_run(); checkpoint;"
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{server.extra['sql_port']}", "dba", "dba", f"exec={script}"],
            check=True, capture_output=True, timeout=7200,
        )
        seconds = time.perf_counter() - started
        count = remote.query(server.endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://w3id.org/partenariat/') || ?g = <urn:partenariat:default>) }")
        national = _engine_times(lambda text: int(remote.query(server.endpoint, text)[0]["n"].value))
    quads = int(count[0]["n"].value)
    return {
        "virtuoso quads": quads,
        "virtuoso load s": round(seconds, 1),
        "virtuoso triples/s": round(quads / seconds),
        "virtuoso nation-wide queries, counted": national,
    }


def _engine_times(count: Callable[[str], int]) -> dict[str, dict[str, float]]:
    """The nation-wide catalogue queries run once each, wrapped in a COUNT: the engine's time
    without the transfer of the rows (Virtuoso answers over HTTP)."""
    import re

    from partenariat import catalogue

    figures = {}
    for name in sorted(NATIONAL_QUERIES):
        text = catalogue.bound_text(catalogue.resolve(name), {})
        select = re.search(r"^SELECT", text, re.MULTILINE)
        assert select is not None, name
        wrapped = f"{text[: select.start()]}SELECT (COUNT(*) AS ?n) WHERE {{ {text[select.start():]} }}"
        started = time.perf_counter()
        try:
            figures[name] = {"rows": count(wrapped), "s": round(time.perf_counter() - started, 1)}
        except Exception as error:  # a server may refuse a query (Virtuoso's cost estimate)
            figures[name] = {"error": str(error)[:300], "s": round(time.perf_counter() - started, 1)}
        print(json.dumps({"progress": name, **figures[name]}), flush=True)
    return figures


def stage_oxigraph_server(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    import servers

    files = _chunks(args)
    binary = servers.oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph command is not installed (pip install oxigraph)")
    location = args.work / "oxigraph-server"
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([binary, "load", "--location", str(location), "--file", *map(str, files)],
                   check=True, capture_output=True, timeout=7200)
    seconds = time.perf_counter() - started
    quads = len(open_store(location))
    return {"oxigraph quads": quads, "oxigraph load s": round(seconds, 1), "oxigraph triples/s": round(quads / seconds)}


RUNNERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "generate": stage_generate, "load": stage_load, "rdflib-load": stage_rdflib_load,
    "inference": stage_inference, "validate": stage_validate, "incremental": stage_incremental,
    "queries": stage_queries, "rdflib-queries": stage_rdflib_queries, "network": stage_network,
    "export": stage_export, "virtuoso": stage_virtuoso, "oxigraph-server": stage_oxigraph_server,
}


# -- the parent: runs each stage in a child, prints the table, writes the JSON ---------------


def run_child(stage: str, args: argparse.Namespace, scale: str, bound: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", stage, "--scale", scale, "--seed", str(args.seed),
               "--work", str(args.work), "--runs", str(args.runs), "--sample", str(args.sample),
               "--query-bound", str(args.query_bound)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=bound, cwd=ROOT)
    except subprocess.TimeoutExpired as error:
        partial = [json.loads(line) for line in (error.stdout or b"").decode().splitlines() if line.startswith("{")]
        return {"error": f"not finished within {bound:.0f} s", "partial": partial}
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail), "wall s": round(time.perf_counter() - started, 1)}
    return json.loads(lines[-1][len("RESULT "):])


def verdict(key: str, value: Any) -> str:
    if key not in TARGETS or not isinstance(value, int | float):
        return ""
    sign, target = TARGETS[key]
    met = value >= target if sign == ">=" else value < target
    ratio = value / target if target else 0
    return f"target {sign} {target:,}: " + ("met" if met else f"MISSED ({ratio:.2f}x the target)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/partenariat-scale"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=64, help="betweenness sources sampled")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--rdflib-scale", default="small", help="scale of the rdflib query comparison")
    parser.add_argument("--bound", type=float, default=1800, help="seconds a stage may take")
    parser.add_argument("--query-bound", type=float, default=30, help="seconds an rdflib query may take")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.child:
        result = RUNNERS[args.child](args)
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return 0
    stages = [s for s in args.stages.split(",") if s]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(STAGES)}")
    results: dict[str, Any] = {"scale": args.scale, "seed": args.seed, "cpus": os.cpu_count(),
                               "memory GiB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB, 1)}
    for stage in stages:
        scale = args.rdflib_scale if stage == "rdflib-queries" else args.scale
        if stage == "rdflib-queries" and not data_file(args.work, scale, args.seed).exists():
            sub = argparse.Namespace(**{**vars(args), "scale": scale})
            run_child("generate", sub, scale, args.bound)
        print(f"== {stage} ({scale})", flush=True)
        result = run_child(stage, args, scale, args.bound)
        results[stage] = result
        for key, value in result.items():
            if key in ("queries", "partial"):
                continue
            print(f"   {key:<38} {value!s:>16}  {verdict(key, value)}", flush=True)
        if "queries" in result:
            other = results.get("rdflib-queries", {}).get("queries", {})
            for name, figure in result["queries"].items():
                print(f"   {name:<38} {figure['rows']:>8} rows  median {figure['median s']:.3f} s  "
                      f"p95 {figure['p95 s']:.3f} s", flush=True)
            del other
    target = args.json or ROOT / "bench" / "results" / f"scale-{args.scale}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
