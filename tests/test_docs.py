"""The HTML documentation: every term documented in both languages, no broken link."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, SKOS

from partenariat import catalogue
from partenariat.docs import build_docs
from partenariat.namespaces import PART

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("fr", "en")


class Links(HTMLParser):
    """The ids/names and hrefs/srcs of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src"):
            if values.get(key):
                self.links.append(values[key])


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    build_docs(out)
    return out


def ontology_terms() -> list[str]:
    graph = Graph().parse(ROOT / "ontology" / "partenariat.ttl")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted(
        {str(s) for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(PART)}
    )


def concept_terms() -> list[str]:
    graph = Graph()
    for name in ("framework.ttl", "vocabularies.ttl"):
        graph.parse(ROOT / "ontology" / name)
    kinds = (SKOS.Concept, SKOS.ConceptScheme)
    return sorted({str(s) for kind in kinds for s in graph.subjects(RDF.type, kind)})


def test_the_expected_files_are_written(docs: Path):
    for name in ("index.html", "classes.svg"):
        assert (docs / name).is_file()
    for lang in LANGS:
        for name in ("index.html", "ontology.html", "concepts.html", "queries.html", "cases.html"):
            assert (docs / lang / name).is_file(), f"{lang}/{name}"
    assert (docs / "classes.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert 'href="classes.svg"' in (docs / "index.html").read_text(encoding="utf-8")
    assert not [p for p in docs.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("lang", LANGS)
def test_every_class_and_property_is_documented(docs: Path, lang: str):
    page = (docs / lang / "ontology.html").read_text(encoding="utf-8")
    terms = ontology_terms()
    assert len(terms) > 50
    missing = [iri for iri in terms if iri not in page]
    assert not missing, missing


@pytest.mark.parametrize("lang", LANGS)
def test_every_concept_and_scheme_is_documented(docs: Path, lang: str):
    page = (docs / lang / "concepts.html").read_text(encoding="utf-8")
    ids = parse(docs / lang / "concepts.html").ids
    terms = concept_terms()
    assert len(terms) > 100
    missing = [iri for iri in terms if html.escape(iri) not in page]
    assert not missing, missing
    from partenariat.docs import anchor

    assert not [iri for iri in terms if anchor(iri) not in ids]


def test_no_internal_link_is_broken(docs: Path):
    pages = {path: parse(path) for path in docs.rglob("*.html")}
    assert len(pages) == 11
    broken = []
    for path, page in pages.items():
        for link in page.links:
            if link.startswith(("http://", "https://", "data:", "mailto:")):
                continue
            target, _, fragment = link.partition("#")
            file = (path.parent / unquote(target)).resolve() if target else path
            if not file.is_file():
                broken.append(f"{path.relative_to(docs)}: {link}")
                continue
            if fragment and file.suffix == ".html":
                ids = pages[file].ids if file in pages else parse(file).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{path.relative_to(docs)}: {link}")
    assert not broken, broken[:20]


def test_each_language_page_shows_only_its_labels(docs: Path):
    fr = (docs / "fr" / "ontology.html").read_text(encoding="utf-8")
    en = (docs / "en" / "ontology.html").read_text(encoding="utf-8")
    assert "cas documenté (encadré)" in fr
    assert "documented case (boxed case)" not in fr
    assert "documented case (boxed case)" in en
    assert "cas documenté (encadré)" not in en
    fr_concepts = (docs / "fr" / "concepts.html").read_text(encoding="utf-8")
    en_concepts = (docs / "en" / "concepts.html").read_text(encoding="utf-8")
    assert "Valeurs du soin" in fr_concepts and "Values of care" not in fr_concepts
    assert "Values of care" in en_concepts and "Valeurs du soin" not in en_concepts


def test_the_competency_questions_are_listed_with_their_sparql(docs: Path):
    entries = [q for q in catalogue.catalogue().values() if q.question]
    assert entries
    for lang in LANGS:
        page = (docs / lang / "queries.html").read_text(encoding="utf-8")
        ids = parse(docs / lang / "queries.html").ids
        for entry in entries:
            assert entry.name in ids
            assert html.escape(entry.title) in page
            assert html.escape(entry.text) in page
            for parameter in entry.parameters:
                assert f"<code>{html.escape(parameter.name)}</code>" in page


class Table(HTMLParser):
    """The cells of the first table of a page, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None


def table(path: Path) -> list[dict[str, str]]:
    parser = Table()
    parser.feed(path.read_text(encoding="utf-8"))
    head, *rows = parser.rows
    return [dict(zip(head, row, strict=True)) for row in rows]


def test_the_case_comparison_table_is_the_query_answer(docs: Path):
    from partenariat.api import KnowledgeGraph

    files = [*sorted((ROOT / "ontology").glob("*.ttl")), *sorted((ROOT / "data").rglob("*.ttl"))]
    kg = KnowledgeGraph.from_files(*files)
    for lang, case, partners in (("fr", "Cas", "Partenaires"), ("en", "Case", "Partners")):
        rows = table(docs / lang / "cases.html")
        answer = kg.query("case-comparison", lang=lang)
        assert [row[case] for row in rows] == [str(a["caseNumber"]) for a in answer]
        assert [row[partners] for row in rows] == [str(a["partners"]) for a in answer]
        assert len(rows) == 6
    english = table(docs / "en" / "cases.html")
    french = table(docs / "fr" / "cases.html")
    assert english[0]["Partnership level"] == "minimal"
    assert (french[1]["Niveau de partenariat"], english[1]["Partnership level"]) == (
        "intermédiaire", "intermediate"
    )


def test_a_second_build_replaces_the_first(tmp_path: Path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    build_docs(out, ["en"])
    assert not (out / "stale.html").exists()
    assert (out / "en" / "ontology.html").is_file()
    assert not (out / "fr").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]




def test_cli_docs_exits_0(cli, tmp_path: Path):
    result = cli("docs", "--out", str(tmp_path / "site"), "--lang", "fr")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wrote" in result.stdout
    assert result.stderr == ""
    assert (tmp_path / "site" / "fr" / "ontology.html").is_file()


def test_cli_docs_bad_out_is_one_line_and_exit_2(cli):
    result = cli("docs", "--out", "/proc/x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: /proc/x")


def test_cli_docs_bad_lang_exits_2(cli, tmp_path: Path):
    result = cli("docs", "--out", str(tmp_path / "site"), "--lang", "de")
    assert result.returncode == 2
    assert not (tmp_path / "site").exists()
