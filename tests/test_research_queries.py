"""The research queries of the catalogue, beyond the competency questions, on the real graph."""

from __future__ import annotations

PID = "https://w3id.org/partenariat/id/"


def test_partners_of_a_scheme_by_role(kg):
    rows = kg.query("partners-of-scheme", scheme="pid:reaap-pas-de-calais")
    partners = {(r["actor"], r["roleLabel"]) for r in rows}
    assert (PID + "caf-pas-de-calais", "porteur") in partners
    assert (PID + "ddcs-pas-de-calais", "porteur") in partners
    assert all(r["caseNumber"] == 4 for r in rows)


def test_schemes_of_an_actor(kg):
    rows = kg.query("schemes-of-actor", actor="pid:caf-pas-de-calais")
    schemes = {r["scheme"] for r in rows}
    assert {PID + "reaap-pas-de-calais", PID + "reseau-parentalite-62"} <= schemes


def test_funding_flows_cover_every_contribution(kg):
    rows = kg.query("funding-flows")
    count = kg.select(
        "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/partenariat/def#FundingContribution> }"
    )[0]["n"]
    assert len(rows) == count
    assert {r["caseNumber"] for r in rows} >= {1, 2, 3}
    pia = next(r for r in rows if r["amount"])
    assert (pia["amount"], pia["currency"], pia["caseNumber"]) == (4000000, "EUR", 3)


def test_case_coding_says_how_the_source_codes(kg):
    rows = kg.query("case-coding", lang="en")
    coded = {(r["caseNumber"], r["conceptLabel"], r["how"]) for r in rows}
    assert (1, "minimal", "title") in coded
    assert (1, "additive ontology", "Office [2]") in coded
    assert (3, "pragmatic method", "Office [6]") in coded
    assert not any(r["caseNumber"] in (5, 6) for r in rows)


def test_timeline_is_in_date_order(kg):
    rows = kg.query("timeline")
    dates = [str(r["date"]) for r in rows]
    assert dates == sorted(dates)
    assert dates[0] == "1999"
    assert any(r["date"] == "2014-02-21" for r in rows)  # the law of 21 February 2014
    assert any(r["date"] == "2017-06-29" for r in rows)  # the margin comments


def test_territory_hierarchy_tells_reference_from_talk(kg):
    rows = kg.query("territory-hierarchy")
    links = {(r["territory"], r["parent"], r["provenance"]) for r in rows if r["parent"]}
    assert (PID + "commune-angouleme", PID + "departement-charente", "reference") in links
    assert (PID + "quartier-fives", PID + "commune-lille", "talk") in links
    codes = {r["territory"]: r["inseeCode"] for r in rows}
    assert codes[PID + "commune-angouleme"] == "16015"


def test_evidence_of_a_statement_includes_comments(kg):
    rows = kg.query("evidence-of-statement", subject="pid:encadre-1")
    kinds = {r["kind"] for r in rows}
    assert kinds == {"passage", "comment"}
    assert any(r["text"] == "Ontologie additive" for r in rows)


def test_case_comparison_table(kg):
    rows = {r["caseNumber"]: r for r in kg.query("case-comparison")}
    assert sorted(rows) == [1, 2, 3, 4, 5, 6]
    assert rows[1]["level"] == "minimal" and rows[4]["level"] is None
    assert rows[2]["methods"] == "méthode déterministe"
    assert rows[3]["methods"] == "méthode pragmatique"
    assert rows[1]["scale"] == "commune" and rows[4]["scale"] == "département"
    assert rows[1]["period"] == "2009"
    assert "le père de F." in rows[1]["funders"]
    assert rows[3]["partners"] >= 10
    assert "CAF" in rows[4]["partnersByType"]
    english = {r["caseNumber"]: r for r in kg.query("case-comparison", lang="en")}
    assert english[2]["methods"] == "deterministic method"


def test_network_affiliations_leave_recipients_out(kg):
    rows = kg.query("network-affiliations")
    assert rows and all(r["actorClass"].rsplit("#", 1)[1] != "Recipient" for r in rows)
    assert not any(r["actor"] in (PID + "recipient-f", PID + "father-of-f") for r in rows)


LABELLED = {
    "partners-of-scheme": ["actorLabel"],
    "schemes-of-actor": ["schemeLabel"],
    "funding-flows": ["payerLabel", "schemeLabel", "beneficiaryLabel"],
    "network-affiliations": ["actorLabel", "schemeLabel"],
    "timeline": ["label"],
    "territory-hierarchy": ["label", "parentLabel"],
    "cases-by-territory": ["territoryLabel", "departement", "region", "academie"],
    "cq10-organisation-profile": ["subjectLabel", "detail", "qualifier"],
    "cq16-bridges-between-cases": ["label"],
}


def test_labels_missing_in_english_fall_back_on_french(kg):
    for name, columns in LABELLED.items():
        french, english = kg.query(name, lang="fr"), kg.query(name, lang="en")
        assert len(english) == len(french), name
        for column in columns:
            filled = sum(1 for row in french if row[column] is not None)
            assert sum(1 for row in english if row[column] is not None) == filled, (name, column)
    # an English label where the graph has one, the French one where it has none
    by_case = {row["caseNumber"]: row for row in kg.query("cases-by-territory", lang="en")}
    assert by_case[2]["academie"] == "Lille academy"
    french_only = {
        row["actor"]: row["label"]
        for row in kg.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?actor ?label WHERE { "
            "?actor rdfs:label ?label FILTER(LANG(?label) = 'fr') "
            "FILTER NOT EXISTS { ?actor rdfs:label ?en FILTER(LANG(?en) = 'en') } }"
        )
    }
    english = {row["actor"]: row["actorLabel"] for row in kg.query("network-affiliations", lang="en")}
    fallen_back = [actor for actor in english if actor in french_only]
    assert fallen_back, "the corpus has actors labelled in French only"
    assert all(english[actor] == french_only[actor] for actor in fallen_back)
    english_labels = {
        row["actor"]: row["label"]
        for row in kg.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?actor ?label WHERE { "
            "?actor rdfs:label ?label FILTER(LANG(?label) = 'en') }"
        )
    }
    translated = [actor for actor in english if actor not in french_only]
    assert translated and all(english[actor] == english_labels[actor] for actor in translated)
