"""The whole query catalogue on the embedded store (pyoxigraph) and on rdflib's SPARQL engine.

Both engines hold the same built graph (one named graph per model file, queried as their
union); each query runs --runs times on each, side by side, and the medians are printed
with their ratio. Targets: every query under 50 ms median on the embedded store, and the
embedded store at least 20 times faster than rdflib on the catalogue as a whole.

Run: .venv/bin/python bench/bench_queries.py [--runs N] [--store build/store]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rdflib import Dataset

from partenariat import catalogue
from partenariat.api import KnowledgeGraph

TARGET_MS = 50.0
TARGET_RATIO = 20.0


def median_ms(run, runs: int) -> tuple[float, int]:
    """The median wall time of a callable in milliseconds, and its last result size."""
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()
    graph = KnowledgeGraph(args.store)
    dataset = Dataset(default_union=True)
    dataset.parse(data=graph.store.dump(format=__import__("pyoxigraph").RdfFormat.N_QUADS).decode(),
                  format="nquads")
    print(f"{len(dataset)} quads in each engine\n")
    print(f"{'query':<40} {'rows':>5} {'oxigraph ms':>12} {'rdflib ms':>10} {'ratio':>7}")
    total_ox = total_rdflib = 0.0
    slow = []
    for name, entry in catalogue.catalogue().items():
        text = catalogue.bound_text(entry, {})
        ox_ms, rows = median_ms(lambda t=text: len(graph.select(t)), args.runs)
        rdflib_ms, rdflib_rows = median_ms(lambda t=text: len(list(dataset.query(t))), max(1, args.runs // 2))
        if rows != rdflib_rows:
            print(f"  ! {name}: oxigraph {rows} rows, rdflib {rdflib_rows} rows")
        total_ox += ox_ms
        total_rdflib += rdflib_ms
        if ox_ms >= TARGET_MS:
            slow.append(name)
        print(f"{name:<40} {rows:>5} {ox_ms:>12.2f} {rdflib_ms:>10.1f} {rdflib_ms / ox_ms:>6.0f}x")
    ratio = total_rdflib / total_ox
    print(f"\n{'whole catalogue':<40} {'':>5} {total_ox:>12.1f} {total_rdflib:>10.1f} {ratio:>6.0f}x")
    print(f"every query under {TARGET_MS:.0f} ms on the embedded store: {'yes' if not slow else 'no: ' + ', '.join(slow)}")
    print(f"embedded store at least {TARGET_RATIO:.0f}x faster overall: {'yes' if ratio >= TARGET_RATIO else 'no'}")
    return 0 if not slow and ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
