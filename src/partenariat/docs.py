"""HTML documentation of the ontology, concept schemes, class diagram and query catalogue."""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from partenariat import catalogue, store
from partenariat.corpus import project_root
from partenariat.namespaces import PART, PREFIXES, shorten

LANGUAGES = ("fr", "en")
ONTOLOGY_FILE = "ontology/partenariat.ttl"
CONCEPT_FILES = ("ontology/framework.ttl", "ontology/vocabularies.ttl")

TEXT = {
    "fr": {
        "title": "Documentation du graphe partenariat",
        "ontology": "Ontologie (classes et propriétés)",
        "concepts": "Schémas de concepts SKOS",
        "queries": "Questions de compétence et requêtes SPARQL",
        "cases": "Tableau comparatif des cas",
        "cases_note": "Une ligne par cas du graphe, calculée par la requête case-comparison ; "
        "une cellule vide est ce que la source ne dit pas.",
        "columns": {
            "caseNumber": "Cas", "title": "Titre", "level": "Niveau de partenariat",
            "values": "Valeurs du soin", "conceptions": "Conceptions de l'action",
            "thresholds": "Seuils", "tests": "Épreuves", "methods": "Méthodes",
            "notions": "Notions", "partners": "Partenaires", "partnersByType":
            "Partenaires par type", "scale": "Échelle territoriale", "period": "Période",
            "funders": "Financeurs",
        },
        "diagram": "Diagramme des classes et relations",
        "home": "Accueil",
        "schemes": "Schémas",
        "definition": "Définition",
        "broader": "Plus général",
        "scheme": "Schéma",
        "question": "Question",
        "parameters": "Paramètres",
        "none": "aucun",
        "default": "défaut",
        "diagram_note": "Classes du projet ; flèches pleines : propriétés d'objet (domaine → portée) ; "
        "pointillés : rdfs:subClassOf.",
    },
    "en": {
        "title": "partenariat graph documentation",
        "ontology": "Ontology (classes and properties)",
        "concepts": "SKOS concept schemes",
        "queries": "Competency questions and SPARQL queries",
        "cases": "Case comparison table",
        "cases_note": "One row per case of the graph, computed by the case-comparison query; "
        "an empty cell is what the source does not say.",
        "columns": {
            "caseNumber": "Case", "title": "Title", "level": "Partnership level",
            "values": "Values of care", "conceptions": "Conceptions of action",
            "thresholds": "Thresholds", "tests": "Tests (épreuves)", "methods": "Methods",
            "notions": "Notions", "partners": "Partners", "partnersByType":
            "Partners by type", "scale": "Territorial scale", "period": "Period",
            "funders": "Funders",
        },
        "diagram": "Diagram of the classes and relations",
        "home": "Home",
        "schemes": "Schemes",
        "definition": "Definition",
        "broader": "Broader",
        "scheme": "Scheme",
        "question": "Question",
        "parameters": "Parameters",
        "none": "none",
        "default": "default",
        "diagram_note": "The project's classes; solid arrows: object properties (domain → range); "
        "dotted: rdfs:subClassOf.",
    },
}

STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4 }
nav a { margin-right: 1rem }
code, pre { background: #f4f4f4 }
pre { padding: .5rem; overflow-x: auto }
.iri { color: #555; font-size: .9em }
section.concept, section.query { border-top: 1px solid #ddd; margin-top: 1rem }
table.cases { border-collapse: collapse; font-size: .85em }
table.cases th, table.cases td { border: 1px solid #ccc; padding: .25rem; vertical-align: top }
"""


class DocsError(Exception):
    """The documentation cannot be generated; the message says why."""


@dataclass
class DocsReport:
    """What was written: the folder, the files and the time it took."""

    out: Path
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def filter_language(graph: Graph, lang: str) -> Graph:
    """A copy of graph keeping, of its language-tagged literals, only those in lang."""
    kept = Graph()
    for prefix, namespace in graph.namespaces():
        kept.bind(prefix, namespace)
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language and o.language.split("-")[0] != lang:
            continue
        kept.add((s, p, o))
    return kept


def load(root: Path, files: Iterable[str]) -> Graph:
    """Parse the given Turtle files of the project into one graph."""
    graph = Graph()
    for name in files:
        path = root / name
        try:
            graph.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as error:
            raise DocsError(f"{path}: cannot be read ({error})") from error
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def anchor(iri: str) -> str:
    """An HTML id for a term: its prefixed name with the colon replaced.

    >>> anchor("https://w3id.org/partenariat/concept/care")
    'pc-care'
    """
    return re.sub(r"[^A-Za-z0-9_.-]", "-", shorten(iri))


def _text(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    """One literal of subject's predicate (sorted, so the choice is stable), or ''."""
    values = sorted(str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal))
    return values[0] if values else ""


def _label(graph: Graph, subject: URIRef) -> str:
    return (
        _text(graph, subject, SKOS.prefLabel)
        or _text(graph, subject, RDFS.label)
        or shorten(str(subject))
    )


def _page(lang: str, title: str, body: str, depth: int = 1) -> str:
    """A complete HTML page with the navigation bar; depth is its level under the docs root."""
    up = "../" * depth
    t = TEXT[lang]
    nav = (
        f'<nav><a href="{up}index.html">{t["home"]}</a>'
        f'<a href="index.html">{html.escape(t["title"])}</a>'
        f'<a href="ontology.html">{t["ontology"]}</a>'
        f'<a href="concepts.html">{t["concepts"]}</a>'
        f'<a href="queries.html">{t["queries"]}</a>'
        f'<a href="cases.html">{t["cases"]}</a>'
        f'<a href="{up}classes.svg">{t["diagram"]}</a></nav>'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{nav}\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def _import_ontpub() -> type:
    """pyLODE's OntPub, undoing the root-logger setup (DEBUG to stderr) pyLODE does on import."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    from pylode import OntPub

    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    return OntPub


def ontology_page(graph: Graph, lang: str) -> str:
    """The pyLODE (OntPub) page of the ontology, graph filtered to one language."""
    OntPub = _import_ontpub()

    page = OntPub(ontology=filter_language(graph, lang)).make_html()
    return re.sub(r"<html(?=[\s>])", f'<html lang="{lang}"', page, count=1)


def concepts_page(graph: Graph, lang: str) -> str:
    """Every concept scheme and its concepts, with labels, definitions and broader links."""
    g = filter_language(graph, lang)
    t = TEXT[lang]
    schemes = sorted(g.subjects(RDF.type, SKOS.ConceptScheme), key=lambda s: _label(g, s).lower())
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    toc = "".join(
        f'<li><a href="#{anchor(str(s))}">{html.escape(_label(g, s))}</a></li>' for s in schemes
    )
    parts = [f"<h2>{t['schemes']}</h2><ul>{toc}</ul>"]
    placed: set[URIRef] = set()
    for scheme in schemes:
        members = {c for c in concepts if (c, SKOS.inScheme, scheme) in g}
        members |= {c for c in concepts if (c, SKOS.topConceptOf, scheme) in g}
        members |= {c for c in g.objects(scheme, SKOS.hasTopConcept) if c in concepts}
        parts.append(_scheme_section(g, scheme, sorted(members - placed, key=str), lang))
        placed |= members
    rest = sorted(concepts - placed, key=str)
    if rest:
        parts.append(
            f'<section id="other-concepts"><h2>…</h2>'
            f"{''.join(_concept_section(g, c, concepts, lang) for c in rest)}</section>"
        )
    return _page(lang, t["concepts"], "\n".join(parts))


def _scheme_section(g: Graph, scheme: URIRef, members: list[URIRef], lang: str) -> str:
    definition = _text(g, scheme, SKOS.definition)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    body = "".join(_concept_section(g, c, concepts, lang) for c in members)
    return (
        f'<section class="scheme" id="{anchor(str(scheme))}">'
        f"<h2>{html.escape(_label(g, scheme))}</h2>"
        f'<p class="iri"><a href="{html.escape(str(scheme))}">{html.escape(str(scheme))}</a></p>'
        f"<p>{html.escape(definition)}</p>{body}</section>"
    )


def _concept_section(g: Graph, concept: URIRef, concepts: set[URIRef], lang: str) -> str:
    t = TEXT[lang]
    iri = str(concept)
    lines = [
        f'<section class="concept" id="{anchor(iri)}"><h3>{html.escape(_label(g, concept))}</h3>',
        f'<p class="iri"><a href="{html.escape(iri)}">{html.escape(shorten(iri))}</a></p>',
    ]
    definition = _text(g, concept, SKOS.definition)
    if definition:
        lines.append(f"<p><strong>{t['definition']}</strong> : {html.escape(definition)}</p>")
    broader = sorted(b for b in g.objects(concept, SKOS.broader) if b in concepts)
    if broader:
        links = ", ".join(
            f'<a href="#{anchor(str(b))}">{html.escape(_label(g, b))}</a>' for b in broader
        )
        lines.append(f"<p><strong>{t['broader']}</strong> : {links}</p>")
    lines.append("</section>")
    return "".join(lines)


def queries_page(lang: str, root: Path) -> str:
    """The competency questions of the catalogue with each query's header and SPARQL text."""
    t = TEXT[lang]
    entries = [q for q in catalogue.catalogue(root).values() if q.question]
    toc = "".join(
        f'<li><a href="#{html.escape(q.name)}">{html.escape(q.name)}</a> — '
        f"{html.escape(q.question or '')}</li>"
        for q in entries
    )
    sections = []
    for q in entries:
        params = "".join(
            f"<li><code>{html.escape(p.name)}</code> ({html.escape(p.type)}"
            + (f", {t['default']} <code>{html.escape(p.default)}</code>" if p.default else "")
            + ")"
            + (f" — {html.escape(p.description)}" if p.description else "")
            + "</li>"
            for p in q.parameters
        )
        sections.append(
            f'<section class="query" id="{html.escape(q.name)}">'
            f"<h2>{html.escape(q.name)} — {html.escape(q.title)}</h2>"
            f"<p><strong>{t['question']}</strong> : {html.escape(q.question or '')}</p>"
            f"<p>{html.escape(q.description)}</p>"
            f"<p><strong>{t['parameters']}</strong> : "
            + (f"</p><ul>{params}</ul>" if params else f"{t['none']}</p>")
            + f"<pre><code>{html.escape(q.text)}</code></pre></section>"
        )
    return _page(lang, t["queries"], f"<ul>{toc}</ul>\n" + "\n".join(sections))


def case_table(root: Path, lang: str) -> tuple[list[str], list[dict[str, str]]]:
    """The case comparison table of the graph's model files: column names and rows as text."""
    from partenariat import corpus as corpus_module
    from partenariat.api import KnowledgeGraph

    try:
        graph = KnowledgeGraph.from_files(*corpus_module.model_files(root)).store
    except corpus_module.CorpusError as error:
        raise DocsError(str(error)) from error
    entry = catalogue.resolve("case-comparison", root)
    solutions = graph.query(
        catalogue.bound_text(entry, {"lang": lang}), use_default_graph_as_union=True
    )
    columns = [variable.value for variable in solutions.variables]
    rows = [
        {name: "" if row[name] is None else row[name].value for name in columns}
        for row in solutions
    ]
    return columns, rows


def cases_page(root: Path, lang: str) -> str:
    """The case comparison table, one row per case, with headings in the page's language."""
    t = TEXT[lang]
    columns, rows = case_table(root, lang)
    names = t["columns"]
    head = "".join(f"<th>{html.escape(names.get(c, c))}</th>" for c in columns)
    body = "".join(
        f'<tr id="case-{html.escape(row.get("caseNumber", ""))}">'
        + "".join(f"<td>{html.escape(row[c])}</td>" for c in columns)
        + "</tr>"
        for row in rows
    )
    return _page(
        lang,
        t["cases"],
        f"<p>{html.escape(t['cases_note'])}</p>"
        f'<table class="cases"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>',
    )


def language_index(lang: str) -> str:
    """The index of one language: its pages and the diagram."""
    t = TEXT[lang]
    body = (
        f'<ul><li><a href="ontology.html">{t["ontology"]}</a></li>'
        f'<li><a href="concepts.html">{t["concepts"]}</a></li>'
        f'<li><a href="queries.html">{t["queries"]}</a></li>'
        f'<li><a href="cases.html">{t["cases"]}</a></li>'
        f'<li><a href="../classes.svg">{t["diagram"]}</a></li></ul>'
        f'<p>{html.escape(t["diagram_note"])}</p>'
        f'<p><img src="../classes.svg" alt="{html.escape(t["diagram"])}" style="max-width:100%"></p>'
    )
    return _page(lang, t["title"], body)


def root_index(langs: Sequence[str]) -> str:
    """The top index: one block of links per language, and the diagram."""
    blocks = []
    for lang in langs:
        t = TEXT[lang]
        blocks.append(
            f'<section lang="{lang}"><h2><a href="{lang}/index.html">{html.escape(t["title"])}'
            f" ({lang})</a></h2><ul>"
            f'<li><a href="{lang}/ontology.html">{t["ontology"]}</a></li>'
            f'<li><a href="{lang}/concepts.html">{t["concepts"]}</a></li>'
            f'<li><a href="{lang}/queries.html">{t["queries"]}</a></li>'
            f'<li><a href="{lang}/cases.html">{t["cases"]}</a></li></ul></section>'
        )
    blocks.append(
        '<h2><a href="classes.svg">classes.svg</a></h2>'
        '<p><img src="classes.svg" alt="classes" style="max-width:100%"></p>'
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>partenariat</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>partenariat</h1>\n"
        + "\n".join(blocks)
        + "\n</body>\n</html>\n"
    )


def _classes_of(graph: Graph, node: object) -> list[URIRef]:
    """The named classes a domain or range denotes: itself, or the members of its owl:unionOf."""
    if isinstance(node, URIRef):
        return [node]
    members: list[URIRef] = []
    for union in graph.objects(node, OWL.unionOf):
        members += [m for m in graph.items(union) if isinstance(m, URIRef)]
    return members


def class_diagram(graph: Graph, target: Path) -> None:
    """Draw the project's classes, subclass links and object properties to an SVG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    own = {c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(PART)}
    network = nx.MultiDiGraph()
    network.add_nodes_from(sorted(shorten(str(c))[5:] for c in own))
    sub_edges = []
    for c in sorted(own):
        for parent in graph.objects(c, RDFS.subClassOf):
            if parent in own:
                sub_edges.append((shorten(str(c))[5:], shorten(str(parent))[5:]))
    prop_edges: dict[tuple[str, str], list[str]] = {}
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty)):
        if not str(prop).startswith(PART):
            continue
        for dom in graph.objects(prop, RDFS.domain):
            for rng in graph.objects(prop, RDFS.range):
                for d in _classes_of(graph, dom):
                    for r in _classes_of(graph, rng):
                        if d in own and r in own:
                            key = (shorten(str(d))[5:], shorten(str(r))[5:])
                            prop_edges.setdefault(key, []).append(shorten(str(prop))[5:])
    network.add_edges_from(sub_edges)
    network.add_edges_from(prop_edges)
    simple = nx.Graph(network)
    layout = nx.spring_layout(simple, seed=1, k=2.5 / max(simple.number_of_nodes(), 1) ** 0.5)
    figure = plt.figure(figsize=(24, 18))
    try:
        axes = figure.add_subplot()
        axes.set_axis_off()
        nx.draw_networkx_nodes(simple, layout, ax=axes, node_color="#dbe9f6", node_size=900)
        nx.draw_networkx_labels(simple, layout, ax=axes, font_size=8)
        nx.draw_networkx_edges(
            nx.DiGraph(sub_edges), layout, ax=axes, style="dotted", edge_color="#888",
            arrows=True, node_size=900,
        )
        nx.draw_networkx_edges(
            nx.DiGraph(list(prop_edges)), layout, ax=axes, edge_color="#1f4e79",
            arrows=True, node_size=900, connectionstyle="arc3,rad=0.08",
        )
        labels = {key: "\n".join(names) for key, names in prop_edges.items()}
        nx.draw_networkx_edge_labels(
            nx.DiGraph(list(prop_edges)), layout, edge_labels=labels, ax=axes, font_size=6,
            font_color="#1f4e79",
        )
        figure.tight_layout()
        figure.savefig(target, format="svg", metadata={"Date": None})
    finally:
        plt.close(figure)


def build_docs(
    out: Path, langs: Sequence[str] = LANGUAGES, root: Path | None = None
) -> DocsReport:
    """Write the documentation into out, replaced as a whole with renames (atomic)."""
    started = time.perf_counter()
    root = project_root() if root is None else root
    unknown = [lang for lang in langs if lang not in TEXT]
    if unknown:
        raise DocsError(f"unknown language(s) {', '.join(unknown)} (known: fr, en)")
    ontology = load(root, [ONTOLOGY_FILE])
    schemes = load(root, CONCEPT_FILES)
    report = DocsReport(out=out)
    with store.staging_dir(out) as staging:
        pages: dict[str, str] = {"index.html": root_index(langs)}
        for lang in langs:
            pages[f"{lang}/index.html"] = language_index(lang)
            pages[f"{lang}/ontology.html"] = ontology_page(ontology, lang)
            pages[f"{lang}/concepts.html"] = concepts_page(schemes, lang)
            pages[f"{lang}/queries.html"] = queries_page(lang, root)
            pages[f"{lang}/cases.html"] = cases_page(root, lang)
        for name, text in pages.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        class_diagram(ontology, staging / "classes.svg")
        report.files = sorted([*pages, "classes.svg"])
        staging.chmod(0o755)
        store.swap_in(staging, out)
    report.seconds = time.perf_counter() - started
    return report
