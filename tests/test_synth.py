"""The synthetic-graph generator: deterministic, sized, parseable, conforming, heavy-tailed, private."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

from partenariat import corpus, profile, synth
from partenariat.validate import validate_graph

ROOT = Path(__file__).resolve().parents[1]
PART = Namespace("https://w3id.org/partenariat/def#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_NOTE = URIRef("http://www.w3.org/2004/02/skos/core#note")
ACTIVITY = URIRef(synth.SYNTH + "activity")
PERSONAL = {PART.age, PART.schoolGrade, PART.schoolDelayYears, PART.situation}


def quads(path: Path, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> list[ox.Quad]:
    return list(ox.parse(path=path, format=fmt))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, synth.SynthResult]:
    """A 20,000-triple synthetic graph, without the corpus."""
    out = tmp_path_factory.mktemp("synth") / "synthetic.nt"
    return out, synth.generate(out, 20_000, seed=1)


@pytest.fixture(scope="module")
def synthetic_graph(synthetic) -> Graph:
    path, _result = synthetic
    return Graph().parse(path, format="nt")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, synth.SynthResult]:
    """The small scale (about 100,000 triples)."""
    out = tmp_path_factory.mktemp("synth") / "small.nt"
    return out, synth.generate(out, "small", seed=7)


@pytest.fixture(scope="module")
def with_cases(tmp_path_factory) -> tuple[Path, synth.SynthResult]:
    """A synthetic graph with the real corpus copied in, as N-Quads."""
    out = tmp_path_factory.mktemp("synth") / "with-cases.nq"
    return out, synth.generate(out, 15_000, seed=2, fmt="nq", with_cases=True)


# -- determinism and size ------------------------------------------------------------


def test_same_seed_and_scale_give_the_same_bytes(tmp_path: Path):
    first, second, other = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    synth.generate(first, 20_000, seed=5)
    synth.generate(second, 20_000, seed=5)
    synth.generate(other, 20_000, seed=6)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_the_corpus_copy_and_named_graphs_are_deterministic_too(tmp_path: Path, with_cases):
    path, _result = with_cases
    again = tmp_path / "again.nq"
    synth.generate(again, 15_000, seed=2, fmt="nq", with_cases=True)
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("scale", [10_000, 20_000, 55_555, "small"])
def test_the_triple_count_is_within_15_percent_of_the_target(tmp_path: Path, scale):
    out = tmp_path / "sized.nt"
    result = synth.generate(out, scale, seed=3)
    target = synth.parse_scale(scale)
    assert abs(result.triples - target) <= 0.15 * target
    lines = out.read_bytes().count(b"\n")
    assert lines == result.triples == len(set(quads(out)))  # one triple a line, no duplicate


def test_the_national_scale_keeps_the_real_counts_and_smaller_scales_shrink():
    national = synth.plan_departements(synth.NATIONAL_TRIPLES, seed=0)
    assert len(national) == 101
    assert sum(p.communes for p in national) == synth.COMMUNES_NAT
    assert sum(p.epci for p in national) == synth.EPCI_NAT
    assert sum(p.qpv for p in national) == synth.QPV_NAT
    assert sum(p.contracts for p in national) == synth.CITY_CONTRACTS_NAT == 435
    assert sum(p.pre for p in national) == synth.PRE_NAT == 500
    assert len(synth.plan_departements(synth.SCALES["medium"], seed=0)) == 10
    small = synth.plan_departements(synth.SCALES["small"], seed=0)
    assert len(small) == 1
    for plan in small + national:
        assert 1 <= plan.contracts <= min(plan.epci, plan.qpv) and plan.epci <= plan.communes
    assert len({synth.departement_iri(d) for d in synth.DEPARTEMENTS}) == 101
    assert len({synth.academie_iri(a) for a in synth.ACADEMIES}) == 30
    assert len({synth.region_iri(r) for r in synth.REGIONS}) == 18


def test_the_reference_territories_reuse_the_corpus_iris_without_redefining_them(synthetic_graph):
    geography = corpus.parse_turtle(ROOT / "data" / "reference" / "geography.ttl")
    reused = {synth.departement_iri(d) for d in synth.DEPARTEMENTS} | {
        synth.academie_iri(a) for a in synth.ACADEMIES
    } | {synth.region_iri(r) for r in synth.REGIONS}
    defined_there = {str(s) for s in geography.subjects()} & reused
    assert len(defined_there) == 7  # Nord, Pas-de-Calais, Charente, 2 régions, 2 académies
    assert not any(str(s) in defined_there for s in synthetic_graph.subjects())


# -- syntax ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['guillemets "droits" et \\ barre', "ligne 1\nligne 2\r\n", "tab\tfin", "\x00\x1f\x7f", "« é ’ 😀 »"],
)
def test_literals_are_escaped_for_n_triples(text: str):
    line = f"<http://x/s> <http://x/p> {synth.lit_fr(text)} .\n<http://x/s> <http://x/q> {synth.lit_str(text)} .\n"
    parsed = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    assert [q.object.value for q in parsed] == [text, text]
    assert parsed[0].object.language == "fr"
    graph = Graph().parse(data=line, format="nt")
    assert {str(o) for o in graph.objects()} == {text}


def test_the_output_parses_with_pyoxigraph_and_rdflib(synthetic, synthetic_graph):
    path, result = synthetic
    parsed = quads(path)
    assert len(parsed) == result.triples == len(synthetic_graph)
    probe = synthetic_graph.value(ACTIVITY, SKOS_NOTE)
    assert probe == Literal(synth.ESCAPE_PROBE, lang="fr")
    assert '"' in probe and "\\" in probe and "\n" in probe and "\t" in probe
    kinds = Counter(q.object.datatype.value for q in parsed if isinstance(q.object, ox.Literal))
    for datatype in ("integer", "decimal", "gYear", "gYearMonth", "date", "string", "langString"):
        assert any(k.endswith(datatype) for k in kinds), datatype


def test_n_quads_put_each_departement_in_its_named_graph(with_cases):
    path, _result = with_cases
    names = {str(q.graph_name) for q in quads(path, ox.RdfFormat.N_QUADS)}
    assert f"<{synth.NATIONAL_GRAPH}>" in names
    assert any(n.startswith(f"<{synth.GRAPH_SYNTH}departement-") for n in names)
    assert f"<{corpus.GRAPH_BASE}data/cases/encadre-1-angouleme>" in names


# -- the model -------------------------------------------------------------------------


def test_it_conforms_to_the_shapes_in_the_corpus_context(synthetic_graph, union, shapes):
    data = Graph()
    for triple in union:
        data.add(triple)
    for triple in synthetic_graph:
        data.add(triple)
    report = validate_graph(data, shapes)
    assert report.conforms, report.as_text("en")


def test_with_cases_the_output_stands_alone_and_conforms(with_cases, shapes):
    path, result = with_cases
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    data = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    cases = {int(n) for n in data.objects(None, PART.caseNumber)}
    assert cases == {1, 2, 3, 4, 5, 6}
    assert (PART.Recipient, PART.personalData, Literal(True)) in data  # the ontology came too
    assert result.corpus_triples > 5_000
    assert any(str(s).startswith(synth.SYNTH) for s in data.subjects(PART.schemeType, None))
    report = validate_graph(data, shapes)
    assert report.conforms, report.as_text("en")


def test_every_synthetic_node_says_so(synthetic_graph):
    subjects = {s for s in synthetic_graph.subjects() if str(s).startswith(synth.SYNTH)}
    assert len(subjects) > 1_000
    for subject in subjects - {ACTIVITY}:
        assert (subject, PROV.wasGeneratedBy, ACTIVITY) in synthetic_graph, subject
    for subject, label in synthetic_graph.subject_objects(RDFS_LABEL):
        if str(subject).startswith(synth.SYNTH) and label.language == "fr":
            assert "synthétique" in label or "fictif" in label, label
        if str(subject).startswith(synth.SYNTH) and label.language == "en":
            assert "ynthetic" in label, label


def test_every_scheme_is_coded_in_the_framework(synthetic_graph):
    schemes = set(synthetic_graph.subjects(PART.schemeType, None))
    assert schemes
    levels = {URIRef(synth.PC + level) for level in synth.LEVELS}
    for scheme in schemes:
        codes = set(synthetic_graph.objects(scheme, PART.codedAs))
        assert len(codes) >= 2, scheme
        if (scheme, PART.schemeType, URIRef(synth.PC + "pre")) in synthetic_graph:
            assert len(codes) == 7 and codes & levels, scheme


def test_partners_per_scheme_and_schemes_per_actor_are_heavy_tailed(small):
    path, _result = small
    in_scheme, partner, pathway = {}, {}, set()
    for quad in quads(path):
        predicate = quad.predicate.value
        if predicate == str(PART.inScheme):
            in_scheme[quad.subject] = quad.object
        elif predicate == str(PART.partner):
            partner[quad.subject] = quad.object
        elif quad.object.value == synth.PC + "individual-pathway":
            pathway.add(quad.subject)
    per_scheme = Counter(s for s in in_scheme.values() if s not in pathway)
    per_actor = Counter(partner[p] for p in partner if "recipient-" not in partner[p].value
                        and "parent-" not in partner[p].value)
    assert len(per_scheme) > 50 and len(per_actor) > 300
    assert max(per_scheme.values()) >= 5 * statistics.median(per_scheme.values())
    assert max(per_actor.values()) >= 15 * statistics.median(per_actor.values())


def test_the_public_profile_leaves_no_personal_data_of_the_pathways(synthetic_graph):
    ontology = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        corpus.parse_turtle(path, ontology)
    recipients = set(synthetic_graph.subjects(PART.pseudonym, None))
    assert len(recipients) > 100
    assert any(p in PERSONAL for p in synthetic_graph.predicates())
    public = Graph()
    for triple in profile.public_triples(synthetic_graph, ontology):
        public.add(triple)
    assert not any(p in PERSONAL for p in public.predicates())
    text = "\n".join(str(o) for o in public.objects() if isinstance(o, Literal))
    for situation in synth.SITUATIONS + synth.PARENT_SITUATIONS:
        assert situation not in text
    for recipient in recipients:  # still there, under their pseudonym
        assert (recipient, PART.pseudonym, None) in public


# -- the command line --------------------------------------------------------------------




def test_the_command_writes_the_file(cli, tmp_path: Path):
    out = tmp_path / "deep" / "synthetic.nq"
    result = cli("synth", "--scale", "20000", "--seed", "9", "--format", "nq", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.is_file() and "triples/s" in result.stdout
    assert len(quads(out, ox.RdfFormat.N_QUADS)) == out.read_bytes().count(b"\n")
    assert [p.name for p in out.parent.iterdir()] == ["synthetic.nq"]  # no temporary file left


@pytest.mark.parametrize("scale", ["huge", "12.5", "999", "-3"])
def test_a_bad_scale_is_one_error_line_exit_2_and_no_file(cli, tmp_path: Path, scale: str):
    out = tmp_path / "synthetic.nt"
    result = cli("synth", "--scale", scale, "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: --scale {scale}:")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_leaves_the_previous_file_as_it_was(tmp_path: Path, monkeypatch):
    out = tmp_path / "synthetic.nt"
    out.write_text("previous\n", encoding="utf-8")

    def broken(self) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(synth._Generator, "all_pathways", broken)
    with pytest.raises(RuntimeError):
        synth.generate(out, 20_000, seed=1)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["synthetic.nt"]
