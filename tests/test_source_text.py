"""Every quote of the graph is verbatim text of the shipped source, at the line it says."""

from __future__ import annotations

import hashlib

from rdflib import Literal, Namespace, URIRef

from partenariat.source_text import fold, locate

PART = Namespace("https://w3id.org/partenariat/def#")
OA = Namespace("http://www.w3.org/ns/oa#")
TALK = URIRef("https://w3id.org/partenariat/id/talk-2017")


def test_fold_only_folds_white_space():
    assert fold("a\n\n b\t c ") == "a b c"
    assert fold("week-\nends") == "week- ends"
    assert fold("l’école « x »") == "l’école « x »"


def test_every_passage_is_an_exact_substring_of_the_source(root, union):
    source = root / "data" / "source" / "talk-2017.txt"
    passages = list(union.subjects(PART.inSource, TALK))
    assert len(passages) > 150
    missing = [
        (str(p), str(union.value(p, OA.exact)))
        for p in passages
        if locate(str(union.value(p, OA.exact)), source) is None
    ]
    assert missing == []


def test_every_passage_starts_at_the_line_it_gives(root, union):
    source = root / "data" / "source" / "talk-2017.txt"
    wrong = []
    for passage in union.subjects(PART.inSource, TALK):
        line = union.value(passage, PART.lineNumber)
        found = locate(str(union.value(passage, OA.exact)), source)
        if not isinstance(line, Literal) or line.toPython() != found:
            wrong.append((str(passage), line, found))
    assert wrong == []


def test_an_altered_quote_is_not_found(root):
    source = root / "data" / "source" / "talk-2017.txt"
    assert locate("Le PRE propose aussi de prendre en charge l’achat", source) == 209
    assert locate("Le PRE propose aussi de prendre en charge l'achat", source) is None


def test_the_shipped_source_matches_its_checksum(root, union):
    digest = hashlib.sha256((root / "data" / "source" / "talk-2017.txt").read_bytes()).hexdigest()
    assert str(union.value(TALK, PART.sha256)) == digest
