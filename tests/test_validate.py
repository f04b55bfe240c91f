"""SHACL: the corpus conforms, and every shape fires on its failing example with its message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from partenariat import corpus
from partenariat.validate import validate_corpus, validate_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
EXAMPLES = Path(__file__).resolve().parent / "shapes"
_EXPECT = re.compile(r'^#\s*expect:\s*(?P<focus>\S+)\s+"(?P<message>[^"]+)"\s*$')


def test_the_corpus_conforms(model, shapes):
    report = validate_corpus(model, shapes)
    assert report.as_text("en") == "conforms: no violation"
    assert report.conforms


def expectations(path: Path) -> list[tuple[str, str]]:
    """The `# expect: FOCUS "message"` lines of a failing example."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found.append((match.group("focus"), match.group("message")))
    return found


def shape_messages(shapes: Graph) -> set[str]:
    """Every English sh:message of the shapes."""
    return {
        str(message)
        for message in shapes.objects(None, SH.message)
        if isinstance(message, Literal) and message.language == "en"
    }


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.ttl")), ids=lambda p: p.stem)
def test_failing_example_fires_its_shape(example: Path, example_context: Graph, shapes: Graph):
    expected = expectations(example)
    assert expected, f"{example.name} has no `# expect:` line"
    data = Graph()
    for triple in example_context:
        data.add(triple)
    corpus.parse_turtle(example, data)
    report = validate_graph(data, shapes)
    assert not report.conforms
    got = {
        (node.focus, violation.message("en"))
        for node in report.focus_nodes
        for violation in node.violations
    }
    for focus, message in expected:
        assert (focus, message) in got, f"{example.name}: {focus} did not get {message!r}; got {got}"


def test_every_shape_message_has_a_failing_example(shapes: Graph):
    covered = {message for example in EXAMPLES.glob("*.ttl") for _f, message in expectations(example)}
    assert sorted(shape_messages(shapes) - covered) == []


def test_every_message_is_in_french_and_english(shapes: Graph):
    for holder in set(shapes.subjects(SH.message, None)):
        langs = {m.language for m in shapes.objects(holder, SH.message) if isinstance(m, Literal)}
        assert {"fr", "en"} <= langs, f"{holder} lacks a French or English message"


def test_the_report_locates_a_violation_in_its_file(tmp_path: Path, root: Path, shapes: Graph):
    bad = tmp_path / "bad-case.ttl"
    bad.write_text(
        "@prefix part: <https://w3id.org/partenariat/def#> .\n"
        "@prefix pid: <https://w3id.org/partenariat/id/> .\n"
        "\n"
        "pid:bad-case a part:CaseStudy .\n",
        encoding="utf-8",
    )
    model = corpus.load([*corpus.model_files(root), bad], root=root)
    report = validate_corpus(model, shapes)
    node = next(n for n in report.focus_nodes if n.focus == "pid:bad-case")
    assert node.location == f"{bad}:4"
    assert URIRef("https://w3id.org/partenariat/id/bad-case") in model.locations
