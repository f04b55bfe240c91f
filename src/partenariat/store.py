"""The embedded Oxigraph store: built into a temporary folder, then swapped in."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

STORE_DIRNAME = "store"


class StoreError(Exception):
    """The store cannot be opened or built; the message says which folder and why."""


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to its pyoxigraph equivalent."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported RDF term: {term!r}")


def to_rdflib(term: object) -> Node:
    """Convert a pyoxigraph term (or an rdflib one, returned as is) to rdflib.

    A literal typed xsd:string becomes a simple literal, as rdflib parses one.
    """
    if isinstance(term, URIRef | BNode | Literal):
        return term
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """The quads of an rdflib Dataset's named graphs, as pyoxigraph quads."""
    for context in dataset.graphs():
        graph_name = ox.NamedNode(str(context.identifier))
        for s, p, o in context:
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph_name)


def is_store(path: Path) -> bool:
    """Whether a folder holds a store (every RocksDB database folder has a CURRENT file)."""
    return (path / "CURRENT").is_file()


def open_store(path: Path, read_only: bool = True) -> ox.Store:
    """Open a built store folder, with a clear error when it is missing or locked."""
    if not is_store(path):
        raise StoreError(f"{path}: no store here; run `partenariat build` first")
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as error:
        raise StoreError(f"{path}: cannot open the store ({error})") from error


@contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A temporary sibling folder of target, removed if the block fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(staging: Path, target: Path) -> None:
    """Replace target by staging with renames, so readers see the old or the new, never half."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_store(dataset: Dataset, target: Path) -> int:
    """Bulk-load a dataset into a new store at target, swapped in atomically; the quad count."""
    with staging_dir(target) as staging:
        store = ox.Store(str(staging))
        store.bulk_extend(quads(dataset))
        store.flush()
        count = len(store)
        del store
        swap_in(staging, target)
    return count
