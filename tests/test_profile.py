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
    text = (out / "release" / "partenariat.nt").read_text(encoding="utf-8")
    assert "quatre enfants à charge" not in text
    assert "retraite" not in text
