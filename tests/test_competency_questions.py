"""CQ01 to CQ16: each query of queries/ gives the source's answer, on the full graph and on
its public profile (the questions do not concern the personal data the profile drops)."""

from __future__ import annotations

import pytest

from partenariat import catalogue
from partenariat.api import KnowledgeGraph

PC = "https://w3id.org/partenariat/concept/"
PID = "https://w3id.org/partenariat/id/"


@pytest.fixture(scope="module", params=["full", "public"])
def kg(request, built) -> KnowledgeGraph:
    """The built store (full graph), then the public release file (public profile)."""
    out, _report = built
    if request.param == "full":
        return KnowledgeGraph(out / "store")
    return KnowledgeGraph(out / "release" / "partenariat.nt")


def by(rows, key):
    return {row[key]: row for row in rows}


def test_each_competency_question_has_its_query():
    questions = {entry.question for entry in catalogue.catalogue().values()}
    assert {f"CQ{n:02d}" for n in range(1, 16)} <= questions


def test_cq01_levels_of_each_case(kg):
    rows = by(kg.query("cq01-partnership-levels"), "caseNumber")
    assert sorted(rows) == [1, 2, 3, 4, 5, 6]
    assert rows[1]["level"] == PC + "level-minimal"
    assert rows[2]["level"] == PC + "level-intermediate"
    assert rows[2]["levelLabel"] == "intermédiaire"
    assert rows[3]["level"] == PC + "level-maximal"
    assert [rows[n]["level"] for n in (4, 5, 6)] == [None, None, None]
    assert rows[1]["rank"] < rows[2]["rank"] < rows[3]["rank"]
    assert "Angoulême" in rows[1]["title"] and "2009" in rows[1]["title"]
    assert "PERSEVAL" in rows[2]["title"]
    assert "Valenciennes" in rows[3]["title"]
    english = by(kg.query("cq01-partnership-levels", lang="en"), "caseNumber")
    assert english[2]["levelLabel"] == "intermediate"


def test_cq02_values_of_care(kg):
    rows = by(kg.query("cq02-values-of-care"), "label")
    assert sorted(rows) == ["care", "cura", "cure"]
    assert "solidarité de proximité sécurisante" in rows["care"]["definition"]
    assert "technique, thérapeutique, proto- ou péri-scolaire" in rows["cure"]["definition"]
    assert "vigilance inquiète" in rows["cura"]["definition"]
    english = by(kg.query("cq02-values-of-care", lang="en"), "label")
    assert "anxious vigilance" in english["cura"]["definition"]


def test_cq03_conceptions_of_action(kg):
    rows = by(kg.query("cq03-conceptions-of-action"), "label")
    assert sorted(rows) == ["additive", "autonomiste", "compensatoire"]
    assert "Cumuler les mesures de proximité" in rows["additive"]["definition"]
    assert "Agir sur le contexte par des équipements" in rows["compensatoire"]["definition"]
    assert "Impliquer le destinataire" in rows["autonomiste"]["definition"]


def test_cq04_thresholds(kg):
    rows = by(kg.query("cq04-thresholds"), "label")
    assert sorted(rows) == ["bas seuil", "contrat", "empowerment"]
    assert "réduire les dommages" in rows["bas seuil"]["definition"]
    assert "limiter les contreparties" in rows["bas seuil"]["definition"]
    assert "puissance d'être soi" in rows["empowerment"]["definition"]
    assert "processus qu'au résultat" in rows["empowerment"]["definition"]
    assert "obligations mutuelles" in rows["contrat"]["definition"]


def test_cq05_tests(kg):
    rows = by(kg.query("cq05-tests"), "label")
    assert sorted(rows) == ["épreuve civique", "épreuve domestique", "épreuve industrielle"]
    assert "intérêt général" in rows["épreuve civique"]["definition"]
    assert "méthode de travail" in rows["épreuve industrielle"]["definition"]
    assert "relation d'autorité" in rows["épreuve domestique"]["definition"]
    assert "parents" in rows["épreuve domestique"]["definition"]


def test_cq06_who_pays_what_in_angouleme(kg):
    rows = kg.query("cq06-who-pays-what")
    paid = {(row["payer"], row["item"], row["share"]) for row in rows}
    assert paid == {
        (PID + "pre-angouleme", "frais d’internat", "une partie"),
        (PID + "father-of-f", "frais d’internat", "le reste"),
        (PID + "pre-angouleme", "achat de la carte de pêche", None),
        (PID + "father-of-f", "achat du matériel", None),
    }


def test_cq07_actors_of_angouleme(kg):
    rows = kg.query("cq07-case-actors")
    actors = {row["actor"] for row in rows}
    assert {
        PID + "social-services-angouleme",
        PID + "social-worker-angouleme",
        PID + "apsa",
        PID + "youth-worker-angouleme",
        PID + "recipient-f",
        PID + "father-of-f",
    } <= actors
    roles = {(row["actor"], row["roleLabel"]) for row in rows}
    assert (PID + "social-worker-angouleme", "prescripteur") in roles
    assert (PID + "youth-worker-angouleme", "prescripteur") in roles
    assert (PID + "recipient-f", "destinataire") in roles
    assert (PID + "apsa", "suivi") in roles
    funders = {row["payer"] for row in kg.query("cq06-who-pays-what")}
    assert PID + "pre-angouleme" in funders


def test_cq08_margin_comments(kg):
    rows = kg.query("cq08-comment-concepts")
    pairs = {(row["caseNumber"], row["concept"]) for row in rows}
    expected = {
        (1, PC + "additive-ontology"),
        (1, PC + "regime-of-peace"),
        (2, PC + "deterministic-method"),
        (2, PC + "domestic-test"),
        (3, PC + "shared-vision"),
        (3, PC + "pragmatic-method"),
        (3, PC + "autonomist-ontology"),
        (3, PC + "process"),
        (3, PC + "distributed-competence"),
        (4, PC + "ontology-components"),
        (4, PC + "project-as-driver"),
    }
    assert expected <= pairs
    numbers = sorted({row["number"] for row in rows})
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13]  # the source has no Office [11]
    texts = {row["number"]: row["text"] for row in rows}
    assert texts[2] == "Ontologie additive"
    assert texts[10] == "Réaffirmation de l'ontologie autonomiste."


def test_cq12_epe_survey(kg):
    rows = kg.query("cq12-epe-survey")
    counts = {(row["interlocutorLabel"], row["numerator"], row["denominator"]) for row in rows}
    assert {(n, d) for _label, n, d in counts} == {(1, 3), (13, 17), (10, 17), (5, 17), (2, 17)}
    third = next(row for row in rows if row["denominator"] == 3)
    assert third["qualifier"] == "très peu"
    assert [(row["numerator"], row["denominator"]) for row in rows] == [
        (13, 17), (10, 17), (1, 3), (5, 17), (2, 17)
    ]  # ordered by proportion
    labels = {row["numerator"]: row["interlocutorLabel"] for row in rows if row["denominator"] == 17}
    assert "commune" in labels[13].lower()
    assert "CAF" in labels[10]
    assert "préfet" in labels[5]
    assert "État" in labels[2]


def test_cq14_sponsorship_risks(kg):
    rows = kg.query("cq14-sponsorship-risks")
    definitions = " | ".join(row["definition"] for row in rows)
    assert len(rows) == 3
    assert "palliatif pour les insuffisances du droit commun" in definitions
    assert "logique de guichet" in definitions
    assert "Surestimer et/ou instrumenter l'investissement des parents" in definitions


def test_cq15_evidence_of_a_statement(kg):
    rows = kg.query("cq15-evidence")
    assert [row["quote"] for row in rows] == [
        "Le PRE propose aussi de prendre en charge l’achat de la carte de pêche"
    ]
    assert rows[0]["caseNumber"] == 1
    assert rows[0]["line"] == 209


def test_every_case_statement_has_evidence(kg):
    missing = kg.select(
        """
        PREFIX part: <https://w3id.org/partenariat/def#>
        SELECT ?node WHERE {
          VALUES ?class { part:Partnership part:FundingContribution part:Figure part:CaseStudy
                          part:Objective part:Principle part:Axis part:Testimony part:MarginComment }
          GRAPH ?g { ?node a ?class }
          FILTER NOT EXISTS { ?node part:evidence ?passage }
        }"""
    )
    assert missing == []


@pytest.mark.parametrize("case", [4, 5, 6])
def test_no_level_is_invented_for_cases_4_to_6(kg, case):
    rows = kg.select(
        f"""
        PREFIX part: <https://w3id.org/partenariat/def#>
        SELECT ?level WHERE {{ ?case part:caseNumber {case} . OPTIONAL {{ ?case part:illustratesLevel ?level }} }}"""
    )
    assert rows == [{"level": None}]


def test_cq09_figures_of_valenciennes_metropole(kg):
    rows = kg.query("cq09-figures-of-an-actor")
    facts = {(row["what"], row["value"]) for row in rows}
    assert {
        ("population", 190000),
        ("nombre de communes", 35),
        ("nombre de QPV", 14),
        ("communes comptant un QPV", 12),
        ("part des jeunes dans la population", 0.35),
        ("année de création", "2001"),
        ("année", "2011"),
        ("a pour montant", 4000000),
    } <= facts
    money = next(row for row in rows if row["what"] == "a pour montant")
    assert money["unit"] == "EUR"


def test_cq10_e2c_grand_hainaut(kg):
    rows = kg.query("cq10-organisation-profile")
    facts = {(row["detail"], row["value"], row["minValue"], row["maxValue"]) for row in rows}
    assert ("jeunes accompagnés", 230, None, None) in facts
    assert ("établissements du réseau", 40, None, None) in facts
    assert ("établissements dans la région", 6, None, None) in facts
    assert ("sites", 12, None, None) in facts
    assert ("âge du public visé", None, 18, 25) in facts
    assert ("temps hors du système scolaire", 6, None, None) in facts
    assert ("jeunes par référent", 15, None, None) in facts
    assert ("part du temps en entreprise", 0.5, None, None) in facts
    assert ("durée du parcours", None, 9, 24) in facts
    assert ("fonds publics", 0.9, None, None) in facts
    created = {row["value"] for row in rows if row["aspect"] == "année de création"}
    assert created == {"2010"}
    places = {row["detail"] for row in rows if row["aspect"] == "a pour territoire"}
    assert places == {"Anzin", "Maubeuge"}
    partners = " | ".join(row["detail"] for row in rows if row["aspect"] == "partenaire")
    for name in ("Mission locale", "Pôle emploi", "CCAS", "Associations de quartier"):
        assert name in partners
    contributions = " | ".join(row["detail"] for row in rows if row["aspect"] == "contribution")
    assert "labellisée et certifiée" in contributions


def test_cq11_organisation_types_in_three_cases(kg):
    rows = kg.query("cq11-organisation-types-across-cases")
    assert {row["type"] for row in rows} == {PC + "caf", PC + "ccas", PC + "education-nationale"}
    caf = next(row for row in rows if row["type"] == PC + "caf")
    assert caf["cases"] == 3
    assert "CAF du Pas-de-Calais" in caf["organisations"]
    assert "CAF (Valenciennes Métropole)" in caf["organisations"]
    lower = {row["type"] for row in kg.query("cq11-organisation-types-across-cases", minCases="2")}
    assert lower > {PC + "caf", PC + "ccas", PC + "education-nationale"}


def test_cq13_periods_of_the_schemes(kg):
    rows = kg.query("cq13-scheme-periods")
    dated = {(row["caseNumber"], row["node"], row["when"], row["date"]) for row in rows}
    assert {
        (1, PID + "pre-angouleme", "année", "2009"),
        (2, PID + "perseval", "début", "2014-09"),
        (2, PID + "perseval", "fin", "2017-08"),
        (3, PID + "dropout-policy-valenciennes", "début", "2017"),
        (3, PID + "dropout-policy-valenciennes", "fin", "2021"),
        (3, PID + "e2c-grand-hainaut", "année de création", "2010"),
        (4, PID + "reaap-pas-de-calais", "année de création", "1999"),
        (4, PID + "reseau-parentalite-62", "année de création", "2014"),
        (6, PID + "ecole-familles-quartier", "année scolaire", "2015-2016"),
    } <= dated
    spreading = [row for row in rows if row["caseNumber"] == 6 and row["date"] == "2016-2017"]
    assert len(spreading) == 1


def test_cq16_bridges_between_cases(kg, union):
    from collections import defaultdict

    from rdflib import Namespace

    part = Namespace("https://w3id.org/partenariat/def#")
    rdf_type = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")["type"]
    cases_of = defaultdict(set)
    for participation, actor in union.subject_objects(part.partner):
        if (actor, rdf_type, part.Recipient) in union:
            continue
        for passage in union.objects(participation, part.evidence):
            for case in union.objects(passage, part.inCase):
                cases_of[str(actor)].add(union.value(case, part.caseNumber).toPython())
    expected_actors = {a for a, cases in cases_of.items() if len(cases) >= 2}
    rows = kg.query("cq16-bridges-between-cases")
    assert {r["bridge"] for r in rows if r["kind"] == "actor"} == expected_actors
    assert expected_actors == set()  # the source never identifies one body across two cases
    programmes = {r["bridge"]: sorted(int(n) for n in r["caseNumbers"].split(", ")) for r in rows}
    assert programmes[PID + "programme-pre"] == [1, 3, 5]
    assert rows[0]["bridge"] == PID + "programme-pre"
