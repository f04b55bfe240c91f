"""Stub."""
from dataclasses import dataclass, field
@dataclass(frozen=True)
class Endpoint:
    query_url: str
    update_url: str | None = None
    store_url: str | None = None
    graph_param: str = "graph"
    auth: str = "none"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    @classmethod
    def oxigraph(cls, base):
        return cls(base + "/query", base + "/update", base + "/store")
    @classmethod
    def virtuoso(cls, base, user, password):
        return cls(base + "/sparql", base + "/sparql-auth", base + "/sparql-graph-crud-auth", "graph-uri", "digest", user, password)
