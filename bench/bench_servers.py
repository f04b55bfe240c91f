"""Load times into Oxigraph server and Virtuoso, and the catalogue's latency on each, beside the embedded store.

Starts both servers itself (tests/servers.py: temporary folders, free 127.0.0.1 ports),
loads the public profile of the built graph (one named graph per model file, and the
inferences) with each protocol, then runs every catalogue query --runs times on the
embedded store (in memory, the same named graphs) and on each server, and prints the
medians side by side; a server whose answers differ from the embedded store's (compared
as RDF terms by value) is flagged. A server that is not installed is left out.

Run: .venv/bin/python bench/bench_servers.py [--runs N] [--store build/store]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from partenariat import build, catalogue, remote, store
from partenariat.api import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from conftest import servers_module  # noqa: E402  (the one loader of tests/servers.py)


def median_ms(run: Callable[[], object], runs: int) -> tuple[float, object]:
    """The median wall time of a callable in milliseconds, and its last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def embedded_rows(memory: ox.Store, sparql: str) -> list[remote.Row]:
    solutions = memory.query(sparql, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    return [{name: solution[name] for name in names} for solution in solutions]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None,
                        help="a built store (default: build/store, or a fresh build)")
    args = parser.parse_args()
    servers = servers_module()

    location = args.store or ROOT / "build" / store.STORE_DIRNAME
    if not (location / "CURRENT").is_file():
        out = Path(tempfile.mkdtemp(prefix="bench-build-"))
        print(f"no store at {location}: building into {out}")
        build.build(out=out, root=ROOT)
        location = out / store.STORE_DIRNAME
    graphs, withheld = remote.public_graphs(
        remote.named_graphs(KnowledgeGraph(location).to_rdflib())
    )
    memory = ox.Store()
    for iri, triples in graphs.items():
        memory.extend(ox.Quad(*(store.to_oxigraph(t) for t in triple), ox.NamedNode(iri))
                      for triple in triples)
    print(f"{len(memory)} quads in {len(graphs)} named graphs (public profile; "
          f"{withheld} triples withheld)\n")

    running = []
    for name, start in (("oxigraph", servers.start_oxigraph), ("virtuoso", servers.start_virtuoso)):
        begin = time.perf_counter()
        try:
            server = start()
        except servers.ServerUnavailable as error:
            print(f"{name}: left out ({error})")
            continue
        print(f"{name}: started in {time.perf_counter() - begin:.1f} s at {server.base_url}")
        running.append(server)
    try:
        print(f"\n{'load':<12} {'protocol':<8} {'triples':>8} {'requests':>8} {'seconds':>8}")
        for server in running:
            for protocol in ("gsp", "update"):
                report = remote.load(server.endpoint, graphs, protocol=protocol)
                print(f"{server.name:<12} {protocol:<8} {report.triples:>8} "
                      f"{report.requests:>8} {report.seconds:>8.2f}")

        names = [s.name for s in running]
        header = f"{'query':<38} {'rows':>5} {'embedded ms':>12}" + "".join(
            f" {n + ' ms':>12}" for n in names)
        print("\n" + header)
        totals = dict.fromkeys(["embedded", *names], 0.0)
        mismatches = []
        for name, entry in catalogue.catalogue().items():
            text = catalogue.bound_text(entry, {})
            local_ms, local = median_ms(lambda t=text: embedded_rows(memory, t), args.runs)
            totals["embedded"] += local_ms
            line = f"{name:<38} {len(local):>5} {local_ms:>12.2f}"
            for server in running:
                server_ms, rows = median_ms(
                    lambda t=text, e=server.endpoint: remote.query(e, t), args.runs)
                totals[server.name] += server_ms
                same = remote.comparable_rows(rows) == remote.comparable_rows(local)
                if not same:
                    mismatches.append(f"{name} on {server.name}")
                line += f" {server_ms:>11.2f}{' ' if same else '!'}"
            print(line)
        print(f"{'whole catalogue (sum of medians)':<38} {'':>5} {totals['embedded']:>12.1f}"
              + "".join(f" {totals[n]:>12.1f}" for n in names))
        if mismatches:
            print("\nanswers differ from the embedded store's: " + ", ".join(mismatches))
            return 1
        print("\nevery answer is the same on every engine (RDF terms compared by value)")
        return 0
    finally:
        for server in running:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
