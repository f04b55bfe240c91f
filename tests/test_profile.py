"""The public profile keeps recipients pseudonymous and drops their personal data."""

from __future__ import annotations

from rdflib import Graph, Namespace

from partenariat import profile

PART = Namespace("https://w3id.org/partenariat/def#")
PID = Namespace("https://w3id.org/partenariat/id/")


def test_personal_properties_come_from_the_ontology(union):
    flagged = profile.personal_properties(union)
    assert {PART.age, PART.schoolGrade, PART.schoolDelayYears, PART.situation} <= flagged


def test_the_full_graph_does_hold_personal_data(union):
    assert (PID["recipient-f"], PART.age, None) in union


def test_the_release_holds_no_personal_data(built, union):
    out, _report = built
    release = Graph().parse(out / "release" / "partenariat.nt", format="nt")
    flagged = profile.personal_properties(union)
    assert not any(p in flagged for p in release.predicates())
    assert (PID["recipient-f"], PART.pseudonym, None) in release
    sensitive = profile.sensitive_nodes(union)
    assert sensitive
    assert not any(s in sensitive for s in release.subjects())
    redacted = profile.sensitive_passages(union)
    assert redacted
    oa_exact = Namespace("http://www.w3.org/ns/oa#").exact
    for passage in redacted:
        assert (passage, oa_exact, None) not in release
        assert (passage, PART.redacted, None) in release
        assert (passage, PART.lineNumber, None) in release
    text = (out / "release" / "partenariat.nt").read_text(encoding="utf-8")
    for phrase in (  # F.'s and his family's situation, as the source words it
        "13 ans",
        "deux ans de retard",
        "quatre enfants",
        "élève seul",
        "retraite",
        "peu de moyens",
        "problèmes relationnels",
        "ses rapports avec son père",
        "son comportement",
        "situation est jugée positive",
    ):
        assert phrase not in text, phrase


def test_the_store_profile_equals_the_rdflib_reference(kg):
    by_store = profile.store_public_quads(kg.store)
    reference = profile.rdflib_public_quads(kg.store)
    as_list = list(by_store)
    assert len(as_list) == len(set(as_list))
    assert set(as_list) == set(reference)
    withheld = len(kg.store) - sum(1 for q in as_list if q.predicate.value != str(PART.redacted))
    assert withheld > 90  # F.'s situation, figures and the texts tied to him


def test_public_quads_accepts_quads_or_a_store(kg):
    assert set(profile.public_quads(kg.store)) == set(profile.public_quads(iter(kg.store)))
