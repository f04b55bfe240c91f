"""Bulk-load large RDF files into a new embedded store: staged, inferred on demand, compacted, swapped in."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from partenariat import materialise, store

# The formats a file's extension announces (before an optional .gz).
FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)


class BulkLoadError(store.StoreError):
    """A file cannot be read or loaded, or the target is not a store; the message names it."""


@dataclass
class BulkLoadReport:
    """What a bulk load did: quads in the new store, inferred triples, seconds per step."""

    quads: int
    inferred: int | None
    seconds: dict[str, float] = field(default_factory=dict)


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """The RDF format of a file from its extension, and whether it is gzip-compressed."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes.pop()
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise BulkLoadError(f"{path}: unknown RDF format (extensions: {known}, optionally .gz)")
    return fmt, compressed


def check_target(target: Path) -> None:
    """Refuse to replace a folder that is not a store (it would be deleted by the swap)."""
    if (
        target.exists()
        and not store.is_store(target)
        and (not target.is_dir() or any(target.iterdir()))
    ):
        raise BulkLoadError(
            f"{target}: exists and is not a store; give a new folder or an existing store"
        )


def bulk_load(
    files: Sequence[Path],
    target: Path,
    *,
    graph: str | None = None,
    inference: bool = False,
    lenient: bool = False,
    step: Callable[[str], None] | None = None,
) -> BulkLoadReport:
    """Load files into a new store at target, replacing it only once everything worked.

    Triples files go into the default graph, or into `graph` when given (quads files keep
    their graphs). With `inference`, the build's OWL 2 RL inferences are written into their
    named graph (the data must then be in named graphs). The store is then compacted: a
    bulk load leaves many unsorted files behind, which make every lookup several times slower.
    """
    announce = step or (lambda _name: None)
    formats = []
    for path in files:
        if not path.is_file():
            raise BulkLoadError(f"{path}: no such file")
        formats.append(rdf_format(path))
    check_target(target)
    to_graph = ox.NamedNode(graph) if graph else None
    seconds: dict[str, float] = {}
    with store.staging_dir(target) as staging:
        db = ox.Store(str(staging))
        started = time.perf_counter()
        for path, (fmt, compressed) in zip(files, formats, strict=True):
            announce(f"loading {path.name}")
            _load_file(
                db, path, fmt, compressed, None if fmt in QUAD_FORMATS else to_graph, lenient
            )
        seconds["load"] = round(time.perf_counter() - started, 2)
        inferred = None
        if inference:
            announce("inferring")
            started = time.perf_counter()
            try:
                inferred = materialise.materialise(db)
            except (ValueError, materialise.UnsupportedAxiom) as error:
                raise BulkLoadError(f"{target}: inference impossible: {error}") from None
            seconds["inference"] = round(time.perf_counter() - started, 2)
        announce("compacting")
        started = time.perf_counter()
        db.optimize()
        seconds["compaction"] = round(time.perf_counter() - started, 2)
        quads = len(db)
        del db  # closes the database before the folder moves
        store.swap_in(staging, target)
    return BulkLoadReport(quads, inferred, seconds)


def _load_file(
    db: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    compressed: bool,
    to_graph: ox.NamedNode | None,
    lenient: bool,
) -> None:
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as stream:
            db.bulk_load(stream, fmt, to_graph=to_graph, lenient=lenient)
    except SyntaxError as error:
        raise BulkLoadError(f"{path}: {error.msg}; nothing was loaded") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        reason = getattr(error, "strerror", None) or error
        raise BulkLoadError(f"{path}: cannot be read ({reason}); nothing was loaded") from None
