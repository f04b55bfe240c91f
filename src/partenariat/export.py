"""Chunked, gzip-compressed N-Quads of a store, for the bulk loaders of large triple stores."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from partenariat import profile, store

CHUNK_PREFIX = "partenariat"
MANIFEST = "manifest.json"
DEFAULT_CHUNK_QUADS = 1_000_000


class ExportError(Exception):
    """The export cannot be written; the message says which folder and why."""


@dataclass
class Chunk:
    """One written file: its name, how many quads it holds, its size and SHA-256."""

    file: str
    quads: int
    bytes: int
    sha256: str


@dataclass
class ExportReport:
    """What an export wrote: the folder, its chunks, whether it is the public profile, timings."""

    out: Path
    public: bool
    chunks: list[Chunk] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def quads(self) -> int:
        """Quads over all chunks."""
        return sum(chunk.quads for chunk in self.chunks)

    def as_json(self) -> str:
        """The manifest: chunks with counts and checksums, and how to load them."""
        document = asdict(self)
        document["out"] = str(self.out)
        document["quads"] = self.quads
        document["loading"] = {
            "virtuoso": "ld_dir('<folder>', '*.nq.gz', 'urn:partenariat:default'); rdf_loader_run(); checkpoint;",
            "oxigraph": "oxigraph load --location <store> --file <folder>/*.nq.gz",
            "graphdb": "importrdf preload -i <repository> <folder>/*.nq.gz",
            "neptune": "upload the folder to S3, then POST /loader with format nquads",
        }
        return json.dumps(document, ensure_ascii=False, indent=2)


def _batches(quads: Iterable[ox.Quad], size: int) -> Iterator[list[ox.Quad]]:
    """The quads in lists of at most `size`."""
    iterator = iter(quads)
    while batch := list(islice(iterator, size)):
        yield batch


def _write_chunk(path: Path, quads: list[ox.Quad], level: int) -> Chunk:
    """Write one gzip N-Quads file and describe it."""
    with gzip.open(path, "wb", compresslevel=level) as stream:
        ox.serialize(quads, stream, ox.RdfFormat.N_QUADS)
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return Chunk(path.name, len(quads), path.stat().st_size, digest.hexdigest())


def export_chunks(
    graph: ox.Store,
    out: Path,
    chunk_quads: int = DEFAULT_CHUNK_QUADS,
    public: bool = True,
    level: int = 3,
) -> ExportReport:
    """Write the store as numbered .nq.gz chunks and a manifest into `out`, replaced whole.

    The folder is written beside its target and renamed over it, so a failed export
    leaves the previous one whole. `public` (the default) exports the public profile
    (profile.store_public_quads); each chunk holds at most `chunk_quads` quads, in the
    store's order, with their named graphs.
    """
    if chunk_quads < 1:
        raise ExportError(f"the chunk size must be a positive number of quads, not {chunk_quads}")
    started = time.perf_counter()
    report = ExportReport(out=out, public=public)
    quads = profile.store_public_quads(graph) if public else graph.quads_for_pattern(None, None, None, None)
    try:
        with store.staging_dir(out) as staging:
            for number, batch in enumerate(_batches(quads, chunk_quads), start=1):
                path = staging / f"{CHUNK_PREFIX}-{number:05d}.nq.gz"
                report.chunks.append(_write_chunk(path, batch, level))
            report.seconds = time.perf_counter() - started
            (staging / MANIFEST).write_text(report.as_json(), encoding="utf-8")
            staging.chmod(0o755)
            store.swap_in(staging, out)
    except OSError as error:
        raise ExportError(f"{out}: cannot be written ({error.strerror or error})") from error
    report.seconds = time.perf_counter() - started
    return report
