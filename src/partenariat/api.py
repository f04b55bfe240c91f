"""KnowledgeGraph: the graph in its embedded store, queried by catalogue name or SPARQL text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from partenariat import catalogue, store
from partenariat.build import default_out
from partenariat.corpus import project_root

Row = dict[str, Any]


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """An RDF term as a plain Python value: IRIs as str, numbers as int or float, else text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in {"integer", "int", "long", "positiveInteger", "nonNegativeInteger"}:
            return int(term.value)
        if datatype in {"decimal", "double", "float"}:
            return float(term.value)
        if datatype == "boolean":
            return term.value == "true"
        return term.value
    return term.value


class KnowledgeGraph:
    """The built graph in its embedded Oxigraph store (read-only)."""

    def __init__(self, path: Path | str | None = None) -> None:
        location = Path(path) if path else default_out(project_root()) / store.STORE_DIRNAME
        self.path = location
        self.store = store.open_store(location)

    def select(self, sparql: str) -> list[Row]:
        """Run a SELECT over the union of the named graphs; rows of plain Python values."""
        solutions = self.store.query(sparql, use_default_graph_as_union=True)
        names = [variable.value for variable in solutions.variables]
        return [{name: python_value(solution[name]) for name in names} for solution in solutions]

    def query(self, name_or_sparql: str, **params: str) -> list[Row]:
        """Run a catalogue query by name (with its parameters) or a SPARQL SELECT text."""
        if any(char.isspace() for char in name_or_sparql.strip()):
            return self.select(name_or_sparql)
        entry = catalogue.resolve(name_or_sparql)
        return self.select(catalogue.bound_text(entry, params))
