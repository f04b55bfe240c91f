"""Deterministic synthetic partnership graphs at any scale, streamed as N-Triples or N-Quads."""

from __future__ import annotations

import math
import os
import random
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from partenariat import corpus
from partenariat.namespaces import PART, PC, PID

# What is written, node by node, as plain strings (never an rdflib graph of the output):
#
# - national graph <…/graph/synth/national>: the dataset (synth:source, a part:SourceDocument
#   every synthetic node cites with part:referenceSource, which the provenance shape accepts)
#   and the activity that made it (synth:activity, a prov:Activity every synthetic node points
#   to with prov:wasGeneratedBy); the régions and académies used, as pid:region-… and
#   pid:academie-… with part:referenceSource pid:insee-cog / pid:men-academies, like
#   data/reference/geography.ttl; a rectorat per académie; a national agency (the State's
#   funder) and a federation of social centres.
# - one graph per département <…/graph/synth/departement-59>: the département (pid:departement-…),
#   its CAF, council, education services, prefecture; EPCI (organisation and part:Intercommunality),
#   communes (part:Commune, INSEE-like code, population figure) with their CCAS; QPV
#   (part:PriorityNeighbourhood within a commune, part:framedBy the 2014 law) with schools,
#   associations and social centres; contrats de ville (pillars, convention, signatories),
#   their volet éducatif (steering committee), PRE (carrier, pluridisciplinary team,
#   coordinator, referents), CLAS, activities, parenting schemes, the département's REAAP;
#   participations (part:Partnership with pc:role-…), yearly part:FundingContribution with
#   part:Amount; every scheme part:codedAs framework concepts; then the individual pathways
#   (schemes of type pc:individual-pathway, part of a PRE), each with a pseudonymous
#   part:Recipient whose age, grade, delay and situation use the part:personalData properties.
#
# Synthetic IRIs are under pid:synth/; nodes the corpus types (programmes, reference
# geography, the 2014 law, vocabularies) are referenced, never redefined.

# ---------------------------------------------------------------------------
# Scales and national orders of magnitude
# ---------------------------------------------------------------------------

SCALES = {"small": 100_000, "medium": 1_000_000, "national": 10_000_000}
NATIONAL_TRIPLES = SCALES["national"]
MIN_TRIPLES = 10_000
MAX_TRIPLES = 2_000_000_000
FORMATS = ("nt", "nq")

# Public orders of magnitude (2015-2017): communes and EPCI on 1 January 2017, the QPV of
# the 2014 reform, the contrats de ville of 2015, the PRE, the children they follow a year.
COMMUNES_NAT = 35_416
EPCI_NAT = 1_266
QPV_NAT = 1_514
CITY_CONTRACTS_NAT = 435
PRE_NAT = 500
PATHWAYS_PER_YEAR_NAT = 100_000
FUNDING_YEARS = tuple(range(2015, 2023))  # the contrats de ville 2015-2020, extended to 2022
FIRST_SCHOOL_YEAR = 2015
MAX_PATHWAY_YEARS = 8

# The expected number of triples per individual pathway (recipient, pathway, participations,
# parent, funding), measured on the generator; it sizes the pathways to the target.
PATHWAY_TRIPLES = 47.0
# The share of the target the structure (territories, actors, schemes, fundings) may take
# below the national scale; above it, the structure shrinks inside the départements.
STRUCTURE_SHARE = 0.5

SYNTH = PID + "synth/"
GRAPH_SYNTH = corpus.GRAPH_BASE + "synth/"
NATIONAL_GRAPH = GRAPH_SYNTH + "national"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"

# ---------------------------------------------------------------------------
# Reference geography: régions, académies and départements (codes and memberships as of
# 2017, like data/reference/geography.ttl; an académie lies in the région of its région
# académique). The populations, in thousands, are rough and only weigh the synthetic
# counts; they are never written.
# ---------------------------------------------------------------------------

REGIONS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d’Azur",
    "94": "Corse",
}

ACADEMIES = {  # name: région code
    "Aix-Marseille": "93",
    "Amiens": "32",
    "Besançon": "27",
    "Bordeaux": "75",
    "Caen": "28",
    "Clermont-Ferrand": "84",
    "Corse": "94",
    "Créteil": "11",
    "Dijon": "27",
    "Grenoble": "84",
    "Guadeloupe": "01",
    "Guyane": "03",
    "La Réunion": "04",
    "Lille": "32",
    "Limoges": "75",
    "Lyon": "84",
    "Martinique": "02",
    "Montpellier": "76",
    "Nancy-Metz": "44",
    "Nantes": "52",
    "Nice": "93",
    "Orléans-Tours": "24",
    "Paris": "11",
    "Poitiers": "75",
    "Reims": "44",
    "Rennes": "53",
    "Rouen": "28",
    "Strasbourg": "44",
    "Toulouse": "76",
    "Versailles": "11",
}

# code|name|région|académie (empty: Mayotte had a vice-rectorat in 2017)|population (k)
_DEPARTEMENTS = """\
01|Ain|84|Lyon|643
02|Aisne|32|Amiens|536
03|Allier|84|Clermont-Ferrand|339
04|Alpes-de-Haute-Provence|93|Aix-Marseille|163
05|Hautes-Alpes|93|Aix-Marseille|141
06|Alpes-Maritimes|93|Nice|1083
07|Ardèche|84|Grenoble|325
08|Ardennes|44|Reims|275
09|Ariège|76|Toulouse|153
10|Aube|44|Reims|310
11|Aude|76|Montpellier|370
12|Aveyron|76|Toulouse|279
13|Bouches-du-Rhône|93|Aix-Marseille|2024
14|Calvados|28|Caen|694
15|Cantal|84|Clermont-Ferrand|146
16|Charente|75|Poitiers|353
17|Charente-Maritime|75|Poitiers|644
18|Cher|24|Orléans-Tours|306
19|Corrèze|75|Limoges|241
2A|Corse-du-Sud|94|Corse|157
2B|Haute-Corse|94|Corse|177
21|Côte-d’Or|27|Dijon|533
22|Côtes-d’Armor|53|Rennes|598
23|Creuse|75|Limoges|119
24|Dordogne|75|Bordeaux|414
25|Doubs|27|Besançon|539
26|Drôme|84|Grenoble|508
27|Eure|28|Rouen|601
28|Eure-et-Loir|24|Orléans-Tours|433
29|Finistère|53|Rennes|909
30|Gard|76|Montpellier|744
31|Haute-Garonne|76|Toulouse|1362
32|Gers|76|Toulouse|191
33|Gironde|75|Bordeaux|1583
34|Hérault|76|Montpellier|1144
35|Ille-et-Vilaine|53|Rennes|1060
36|Indre|24|Orléans-Tours|222
37|Indre-et-Loire|24|Orléans-Tours|606
38|Isère|84|Grenoble|1258
39|Jura|27|Besançon|260
40|Landes|75|Bordeaux|407
41|Loir-et-Cher|24|Orléans-Tours|332
42|Loire|84|Lyon|762
43|Haute-Loire|84|Clermont-Ferrand|227
44|Loire-Atlantique|52|Nantes|1394
45|Loiret|24|Orléans-Tours|678
46|Lot|76|Toulouse|174
47|Lot-et-Garonne|75|Bordeaux|333
48|Lozère|76|Montpellier|76
49|Maine-et-Loire|52|Nantes|813
50|Manche|28|Caen|496
51|Marne|44|Reims|569
52|Haute-Marne|44|Reims|175
53|Mayenne|52|Nantes|307
54|Meurthe-et-Moselle|44|Nancy-Metz|733
55|Meuse|44|Nancy-Metz|187
56|Morbihan|53|Rennes|750
57|Moselle|44|Nancy-Metz|1044
58|Nièvre|27|Dijon|207
59|Nord|32|Lille|2604
60|Oise|32|Amiens|824
61|Orne|28|Caen|283
62|Pas-de-Calais|32|Lille|1468
63|Puy-de-Dôme|84|Clermont-Ferrand|653
64|Pyrénées-Atlantiques|75|Bordeaux|677
65|Hautes-Pyrénées|76|Toulouse|228
66|Pyrénées-Orientales|76|Montpellier|474
67|Bas-Rhin|44|Strasbourg|1125
68|Haut-Rhin|44|Strasbourg|764
69|Rhône|84|Lyon|1843
70|Haute-Saône|27|Besançon|236
71|Saône-et-Loire|27|Dijon|553
72|Sarthe|52|Nantes|567
73|Savoie|84|Grenoble|431
74|Haute-Savoie|84|Grenoble|808
75|Paris|11|Paris|2187
76|Seine-Maritime|28|Rouen|1255
77|Seine-et-Marne|11|Créteil|1404
78|Yvelines|11|Versailles|1438
79|Deux-Sèvres|75|Poitiers|374
80|Somme|32|Amiens|572
81|Tarn|76|Toulouse|387
82|Tarn-et-Garonne|76|Toulouse|258
83|Var|93|Nice|1058
84|Vaucluse|93|Aix-Marseille|559
85|Vendée|52|Nantes|675
86|Vienne|75|Poitiers|436
87|Haute-Vienne|75|Limoges|374
88|Vosges|44|Nancy-Metz|368
89|Yonne|27|Dijon|338
90|Territoire de Belfort|27|Besançon|142
91|Essonne|11|Versailles|1297
92|Hauts-de-Seine|11|Versailles|1609
93|Seine-Saint-Denis|11|Créteil|1624
94|Val-de-Marne|11|Créteil|1387
95|Val-d’Oise|11|Versailles|1229
971|Guadeloupe|01|Guadeloupe|390
972|Martinique|02|Martinique|372
973|Guyane|03|Guyane|269
974|La Réunion|04|La Réunion|853
976|Mayotte|06||256
"""

# Départements with few communes (Paris and its inner ring, overseas): their commune count
# is fixed; the others share the rest of the national count.
FIXED_COMMUNES = {"75": 1, "92": 36, "93": 40, "94": 47, "971": 32, "972": 34, "973": 22, "974": 24, "976": 17}


@dataclass(frozen=True)
class Departement:
    """A row of the reference table: code, name, région, académie and rough population."""

    code: str
    name: str
    region: str
    academie: str
    population_k: int

    @property
    def key(self) -> str:
        """The code as it appears in identifiers (lower case: 2a, 59, 971)."""
        return self.code.lower()


DEPARTEMENTS = tuple(
    Departement(code, name, region, academie, int(population))
    for code, name, region, academie, population in (
        line.split("|") for line in _DEPARTEMENTS.splitlines() if line
    )
)


def slug(text: str) -> str:
    """A readable ASCII slug, as the project's identifiers use.

    >>> slug("Provence-Alpes-Côte d’Azur"), slug("Val-d’Oise"), slug("La Réunion")
    ('provence-alpes-cote-d-azur', 'val-d-oise', 'la-reunion')
    """
    folded = "".join(
        c.lower() if c.isascii() and c.isalnum() else "-"
        for c in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(c)
    )
    return "-".join(part for part in folded.split("-") if part)


def region_iri(code: str) -> str:
    """The IRI of a région, as data/reference/geography.ttl writes it."""
    return f"{PID}region-{slug(REGIONS[code])}"


def academie_iri(name: str) -> str:
    """The IRI of an académie, as data/reference/geography.ttl writes it."""
    return f"{PID}academie-{slug(name)}"


def departement_iri(dep: Departement) -> str:
    """The IRI of a département, as data/reference/geography.ttl writes it."""
    return f"{PID}departement-{slug(dep.name)}"


def _academie_label(name: str) -> str:
    if name in {"Guadeloupe", "Guyane", "Martinique"}:
        return f"Académie de la {name}"
    if name[0] in "AEIOUÉ":
        return f"Académie d’{name}"
    return f"Académie de {name}"


# ---------------------------------------------------------------------------
# N-Triples terms, written as plain strings
# ---------------------------------------------------------------------------

_ESCAPES = {c: f"\\u{c:04X}" for c in range(0x20)}
_ESCAPES.update(
    {
        ord("\\"): "\\\\",
        ord('"'): '\\"',
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        ord("\b"): "\\b",
        ord("\f"): "\\f",
        0x7F: "\\u007F",
    }
)


def escape(text: str) -> str:
    """The body of an N-Triples string literal: quotes, backslashes and controls escaped.

    >>> print(escape('il dit "oui"\\\\non\\n'))
    il dit \\"oui\\"\\\\non\\n
    """
    return text.translate(_ESCAPES)


def iri(value: str) -> str:
    """An IRI term."""
    return f"<{value}>"


def lit_fr(text: str) -> str:
    """A French literal."""
    return f'"{text.translate(_ESCAPES)}"@fr'


def lit_en(text: str) -> str:
    """An English literal."""
    return f'"{text.translate(_ESCAPES)}"@en'


def lit_str(text: str) -> str:
    """An xsd:string literal."""
    return f'"{text.translate(_ESCAPES)}"'


def lit_int(value: int) -> str:
    """An xsd:integer literal."""
    return f'"{value}"^^<{XSD}integer>'


def lit_dec(value: float, digits: int = 2) -> str:
    """An xsd:decimal literal with a fixed number of digits."""
    return f'"{value:.{digits}f}"^^<{XSD}decimal>'


def lit_year(year: int) -> str:
    """An xsd:gYear literal."""
    return f'"{year}"^^<{XSD}gYear>'


def lit_year_month(year: int, month: int) -> str:
    """An xsd:gYearMonth literal."""
    return f'"{year}-{month:02d}"^^<{XSD}gYearMonth>'


def s_iri(key: str) -> str:
    """The IRI term of a synthetic node."""
    return f"<{SYNTH}{key}>"


def _p(name: str) -> str:
    return f"<{PART}{name}>"


def _c(name: str) -> str:
    return f"<{PC}{name}>"


# Predicates and fixed terms, formatted once.
A = f"<{RDF}type>"
LABEL = f"<{RDFS}label>"
DESCRIPTION = f"<{DCTERMS}description>"
IDENTIFIER = f"<{DCTERMS}identifier>"
DATE = f"<{DCTERMS}date>"
NOTE = f"<{SKOS}note>"
GEN = f"<{PROV}wasGeneratedBy>"
VALUE_S = f"<{SCHEMA}value>"
CURRENCY = f"<{SCHEMA}currency>"
EUR = '"EUR"'
REF = _p("referenceSource")
CODED = _p("codedAs")
TERRITORY = _p("territory")
WITHIN = _p("within")
INSEE = _p("inseeCode")
FRAMED_BY = _p("framedBy")
ORG_TYPE = _p("organisationType")
GROUP_TYPE = _p("groupType")
PROF_ROLE = _p("professionalRole")
MEMBER_OF = _p("memberOf")
SUB_ORG = _p("subOrganisationOf")
FREQUENCY = _p("frequency")
SCHEME_TYPE = _p("schemeType")
IMPLEMENTS = _p("implements")
PART_OF = _p("partOfScheme")
CARRIED_BY = _p("carriedBy")
PILOTED_BY = _p("pilotedBy")
FOUNDED_BY = _p("foundedBy")
FOUNDING_YEAR = _p("foundingYear")
TARGET = _p("targetAudience")
HAS_AXIS = _p("hasAxis")
TEXT = _p("text")
RANK = _p("rank")
USES = _p("usesInstrument")
SIGNATORY = _p("signatory")
IN_SCHEME = _p("inScheme")
PARTNER = _p("partner")
ROLE = _p("role")
CONTRIBUTION = _p("contribution")
START = _p("startDate")
END = _p("endDate")
YEAR = _p("year")
SCHOOL_YEAR = _p("schoolYear")
PAYER = _p("payer")
FUNDED_SCHEME = _p("fundedScheme")
FUNDED_ITEM = _p("fundedItem")
BENEFICIARY = _p("beneficiary")
AMOUNT = _p("amount")
SHARE_RATIO = _p("shareRatio")
FIGURE_OF = _p("figureOf")
MEASURE = _p("measure")
VALUE = _p("value")
UNIT = _p("unit")
PSEUDONYM = _p("pseudonym")
AGE = _p("age")
GRADE = _p("schoolGrade")
DELAY = _p("schoolDelayYears")
SITUATION = _p("situation")
PATHWAY_TYPE = _c("individual-pathway")
ROLE_RECIPIENT = _c("role-recipient")
ROLE_FOLLOW_UP = _c("role-follow-up")

# The synthetic dataset (a part:SourceDocument every synthetic node cites with
# part:referenceSource, as the shapes ask for provenance) and the activity that made it.
SOURCE = s_iri("source")
ACTIVITY = s_iri("activity")
INSEE_COG = iri(f"{PID}insee-cog")
MEN_ACADEMIES = iri(f"{PID}men-academies")
NATIONAL_AGENCY = "agence-nationale"
SOURCE_DESCRIPTION = (
    "Données fictives produites par « partenariat synth » pour tester les requêtes et les "
    "triplestores à l’échelle nationale. Aucun acteur, dispositif, quartier, commune ou enfant "
    "n’y est réel : seuls les régions, académies et départements reprennent le Code officiel "
    "géographique, et les programmes nationaux sont ceux du corpus."
)

C_ORG = _p("Organisation")
C_PUBORG = _p("PublicOrganisation")
C_SCHEME = _p("Scheme")
C_PARTNERSHIP = _p("Partnership")
C_FUNDING = _p("FundingContribution")
C_AMOUNT = _p("Amount")
C_FIGURE = _p("Figure")
C_PROFESSIONAL = _p("Professional")
C_RECIPIENT = _p("Recipient")

# Framework concepts (ontology/framework.ttl) used to code every scheme.
VALUES_OF_CARE = ("care", "cure", "cura")
CONCEPTIONS = ("additive", "compensatory", "autonomist")
THRESHOLDS = ("low-threshold", "empowerment", "contract")
TESTS = ("civic-test", "industrial-test", "domestic-test")
LEVELS = ("level-minimal", "level-intermediate", "level-maximal")
METHODS = ("deterministic-method", "pragmatic-method", "middle-way")
FORMS = ("form-partnership", "form-network", "form-hybrid")

# The scheme types (pc:scheme-types) of the kinds of synthetic schemes; a scheme implements
# the national programme of data/programmes.ttl of the same type, when the corpus has it.
SCHEME_TYPES = {
    "contract": "city-contract",
    "strand": "educational-strand",
    "pre": "pre",
    "clas": "clas",
    "reaap": "reaap",
    "parenting": "parenting-scheme",
    "activity": "activity",
}
CARE_WEIGHTS = {  # care, cure, cura
    "pre": (0.5, 0.2, 0.3),
    "clas": (0.2, 0.6, 0.2),
    "parenting": (0.5, 0.1, 0.4),
    "reaap": (0.5, 0.1, 0.4),
}
PARENTING_KINDS = frozenset({"association", "social-centre", "ccas", "prevention", "epe"})
PATHWAY_KINDS = frozenset(
    {"school", "college", "association", "social-centre", "prevention", "ccas", "mission-locale"}
)

# Roles by kind of actor (concepts of pc:partnership-roles).
ROLES = {
    "school": ("role-referrer", "role-working-partner", "role-host"),
    "college": ("role-referrer", "role-working-partner", "role-host"),
    "association": ("role-operator", "role-associated-partner", "role-working-partner"),
    "social-centre": ("role-operator", "role-host", "role-working-partner"),
    "prevention": ("role-follow-up", "role-referrer", "role-operator"),
    "ccas": ("role-referrer", "role-follow-up", "role-funder"),
    "commune": ("role-funder", "role-steering", "role-host"),
    "epci": ("role-steering", "role-coordinator", "role-funder"),
    "mission-locale": ("role-working-partner", "role-referrer"),
    "caf": ("role-funder", "role-working-partner"),
    "departement-council": ("role-funder", "role-follow-up"),
    "dsden": ("role-referrer", "role-steering", "role-working-partner"),
    "prefecture": ("role-funder", "role-steering"),
    "rectorat": ("role-steering", "role-associated-partner"),
    "agency": ("role-funder",),
    "federation": ("role-support", "role-trainer"),
    "epe": ("role-trainer", "role-support"),
    "gip": ("role-carrier",),
    "group": ("role-participant",),
    "delegate": ("role-interlocutor",),
    "professional": ("role-follow-up",),
}

CONTRIBUTIONS = {
    "school": (
        "repère les élèves en difficulté et oriente les familles vers le dispositif",
        "accueille les « cafés des parents » dans ses locaux",
        "participe aux équipes pluridisciplinaires",
    ),
    "college": (
        "signale les décrochages et participe au suivi des élèves",
        "ouvre l’atelier \"devoirs faits\" aux familles du quartier",
    ),
    "association": (
        "anime des ateliers d’accompagnement à la scolarité",
        "propose des activités culturelles et sportives le mercredi",
        "organise des sorties « découverte » avec les familles",
    ),
    "social-centre": (
        "met à disposition ses locaux et ses animateurs",
        "accueille les parents dans un « espace familles »",
    ),
    "prevention": ("assure un suivi éducatif de rue",),
    "ccas": ("oriente les familles suivies et co-finance des aides",),
    "caf": ("finance les actions de soutien à la parentalité",),
    "dsden": ("désigne des référents \"réussite éducative\" dans les écoles",),
}

ASSOCIATION_NAMES = (
    "« Les Hirondelles »",
    "« Le Trait d’union »",
    "« L’Escale »",
    "« Les Petits Pas »",
    "« Le Fil d’Ariane »",
    "« La Passerelle »",
    '"La Boussole"',
    '"Les Cerfs-volants"',
    "« Horizons »",
    "« Le Relais des familles »",
    '"Pas à pas"',
    "« Les Ateliers du quartier »",
)

SITUATIONS = (
    "difficultés d’apprentissage signalées par l’école (situation fictive)",
    "absentéisme répété au collège (situation fictive)",
    "famille monoparentale avec peu de ressources (situation fictive)",
    "tensions familiales signalées par les services sociaux (situation fictive)",
    "besoin d’un bilan de santé non réalisé (situation fictive)",
    "isolement de l’enfant hors du temps scolaire (situation fictive)",
    "logement suroccupé, devoirs difficiles à faire à la maison (situation fictive)",
    "difficultés de langage repérées en maternelle (situation fictive)",
)

PARENT_SITUATIONS = (
    "parent seul, sans emploi (situation fictive)",
    "parent peu à l’aise avec l’institution scolaire (situation fictive)",
    "famille récemment arrivée dans le quartier (situation fictive)",
)

FUNDED_ITEMS = (
    "frais de cantine",
    "inscription à une activité sportive",
    "séjour de vacances",
    "soutien scolaire",
    "bilan orthophonique",
    "frais d’internat",
    "matériel scolaire",
    "inscription à une activité culturelle",
    "carte de transport",
)

GRADES = (
    "petite section",
    "moyenne section",
    "grande section",
    "CP",
    "CE1",
    "CE2",
    "CM1",
    "CM2",
    "6e",
    "5e",
    "4e",
    "3e",
    "2de",
    "1re",
)

AXES = (
    "cohésion sociale",
    "cadre de vie et renouvellement urbain",
    "développement de l’activité économique et de l’emploi",
)

# N-Triples escaping exercised by the data itself (checked by the tests): a quote, a
# backslash, a tab and a line break inside one literal.
ESCAPE_PROBE = 'Échappements : guillemets "droits", barre oblique inverse \\, tabulation\t, fin de ligne\nseconde ligne.'


class SynthError(ValueError):
    """A bad request (scale, format, seed) or an unreadable corpus; the message says which."""


@dataclass(frozen=True)
class SynthResult:
    """What a run wrote: the file, its triples, the time it took and how it was sized."""

    path: Path
    triples: int
    seconds: float
    target: int
    fmt: str
    seed: int
    departements: int
    pathways: int
    pathway_years: int
    corpus_triples: int = 0

    @property
    def triples_per_second(self) -> float:
        """The write speed."""
        return self.triples / self.seconds if self.seconds > 0 else float("inf")


def parse_scale(scale: str | int) -> int:
    """The target number of triples of a scale name or an explicit count.

    >>> parse_scale("small"), parse_scale("250000"), parse_scale("2_000_000")
    (100000, 250000, 2000000)
    """
    if isinstance(scale, int) and not isinstance(scale, bool):
        target = scale
    else:
        text = str(scale).strip().lower()
        if text in SCALES:
            return SCALES[text]
        try:
            target = int(text.replace("_", ""))
        except ValueError:
            raise SynthError(
                f"--scale {scale}: expected small, medium, national or a number of triples"
            ) from None
    if not MIN_TRIPLES <= target <= MAX_TRIPLES:
        raise SynthError(
            f"--scale {scale}: a number of triples between {MIN_TRIPLES} and {MAX_TRIPLES} is expected"
        )
    return target


# ---------------------------------------------------------------------------
# The writer: lines into a buffer, a named graph per département (N-Quads)
# ---------------------------------------------------------------------------


class _Writer:
    """Buffered N-Triples or N-Quads lines, counted as they are written."""

    def __init__(self, stream: TextIO, quads: bool) -> None:
        self.stream = stream
        self.quads = quads
        self.tail = " .\n"
        self.buffer: list[str] = []
        self.count = 0

    def graph(self, name: str) -> None:
        """The named graph the next lines go to (ignored for N-Triples)."""
        self.tail = f" <{name}> .\n" if self.quads else " .\n"

    def node(self, subject: str, pairs: Iterable[tuple[str, str]]) -> None:
        """The triples of one subject."""
        tail = self.tail
        lines = [f"{subject} {p} {o}{tail}" for p, o in pairs]
        self.buffer.extend(lines)
        self.count += len(lines)
        if len(self.buffer) >= 65_536:
            self.flush()

    def raw(self, line_body: str, graph: str | None) -> None:
        """One line from already formatted terms, in the given named graph."""
        tail = f" <{graph}> .\n" if self.quads and graph else " .\n"
        self.buffer.append(line_body + tail)
        self.count += 1
        if len(self.buffer) >= 65_536:
            self.flush()

    def flush(self) -> None:
        """Write the buffered lines."""
        self.stream.write("".join(self.buffer))
        self.buffer.clear()


# ---------------------------------------------------------------------------
# The corpus: what it defines (never redefined here) and its copy for --with-cases
# ---------------------------------------------------------------------------


@dataclass
class _CorpusCopy:
    files: list[tuple[str, list[str]]] = field(default_factory=list)  # graph IRI, line bodies
    defined: set[str] = field(default_factory=set)  # IRIs typed somewhere in the corpus


def _read_corpus(root: Path, keep: bool) -> _CorpusCopy:
    """The model files as the build loads them (ontology/ then data/), blank nodes relabelled
    in document order so that the copy is the same from run to run."""
    copy = _CorpusCopy()
    type_iri = f"{RDF}type"
    for index, path in enumerate(corpus.model_files(root)):
        labels: dict[str, str] = {}

        def term(node: object, index: int = index, labels: dict[str, str] = labels) -> str:
            if isinstance(node, ox.BlankNode):
                return labels.setdefault(node.value, f"_:c{index}b{len(labels)}")
            return str(node)

        lines: list[str] = []
        try:
            for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
                subject, predicate, obj = quad.subject, quad.predicate, quad.object
                if predicate.value == type_iri and isinstance(subject, ox.NamedNode):
                    copy.defined.add(subject.value)
                if keep:
                    lines.append(f"{term(subject)} {predicate} {term(obj)}")
        except (SyntaxError, OSError) as error:
            raise SynthError(f"{path}: cannot be read ({error})") from None
        if keep:
            copy.files.append((str(corpus.graph_iri(path, root)), lines))
    return copy


# ---------------------------------------------------------------------------
# Sizing: which départements, and how much of each
# ---------------------------------------------------------------------------


def _apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """An integer total split in proportion to the weights (largest remainders), each part
    at least `minimum`.

    >>> _apportion(10, [1, 1, 2]), _apportion(3, [5, 1, 1], minimum=1)
    ([3, 2, 5], [1, 1, 1])
    """
    count = len(weights)
    if count == 0:
        return []
    parts = [minimum] * count
    rest = total - minimum * count
    weight_sum = sum(weights)
    if rest <= 0 or weight_sum <= 0:
        return parts
    shares = [rest * w / weight_sum for w in weights]
    floors = [int(x) for x in shares]
    order = sorted(range(count), key=lambda i: (floors[i] - shares[i], i))
    for i in order[: rest - sum(floors)]:
        floors[i] += 1
    return [p + f for p, f in zip(parts, floors, strict=True)]


def _apportion_capped(
    total: int, weights: Sequence[float], caps: Sequence[int], minimum: int = 0
) -> list[int]:
    """Like _apportion, each part at most its cap; what the caps hold back goes to the parts
    with room, most under-served first.

    >>> _apportion_capped(10, [1, 1, 2], [9, 9, 2])
    [4, 4, 2]
    """
    parts = [min(p, c) for p, c in zip(_apportion(total, weights, minimum), caps, strict=True)]
    surplus = total - sum(parts)
    while surplus > 0:
        room = [i for i in range(len(parts)) if parts[i] < caps[i]]
        if not room:
            break
        best = max(room, key=lambda i: (weights[i] / (parts[i] + 1), -i))
        parts[best] += 1
        surplus -= 1
    return parts


@dataclass
class _Plan:
    """Counts of one département (after the scale is applied)."""

    dep: Departement
    communes: int
    epci: int
    qpv: int
    contracts: int
    pre: int


def _national_plans(seed: int) -> list[_Plan]:
    """The national counts of every département: real totals, synthetic spread."""
    rng = random.Random(f"partenariat-synth/{seed}/national")
    free = [d for d in DEPARTEMENTS if d.code not in FIXED_COMMUNES]
    weights = [math.exp(rng.gauss(0.0, 0.35)) * d.population_k**0.3 for d in free]
    spread = _apportion(COMMUNES_NAT - sum(FIXED_COMMUNES.values()), weights, minimum=60)
    communes = dict(FIXED_COMMUNES)
    for dep, count in zip(free, spread, strict=True):
        communes[dep.code] = min(count, 900)
    epci = _apportion_capped(
        EPCI_NAT,
        [math.sqrt(communes[d.code]) * d.population_k**0.25 for d in DEPARTEMENTS],
        [communes[d.code] for d in DEPARTEMENTS],
        minimum=1,
    )
    qpv = _apportion(QPV_NAT, [d.population_k**1.35 for d in DEPARTEMENTS], minimum=1)
    contracts = _apportion_capped(
        CITY_CONTRACTS_NAT, [float(q) for q in qpv], [min(e, q) for e, q in zip(epci, qpv, strict=True)], 1
    )
    pre = _apportion(PRE_NAT, [float(q) for q in qpv], minimum=1)
    return [
        _Plan(dep, communes[dep.code], epci[i], qpv[i], contracts[i], pre[i])
        for i, dep in enumerate(DEPARTEMENTS)
    ]


def _structure_estimate(plan: _Plan) -> float:
    """Rough number of structure triples of a département (sizes the shrink below national)."""
    return (
        250
        + 17.0 * plan.communes
        + 30.0 * plan.epci
        + 420.0 * plan.qpv
        + 700.0 * plan.contracts
        + 1_250.0 * plan.pre
    )


def _shrink(plan: _Plan, factor: float) -> _Plan:
    """A département's counts scaled down, kept coherent (every count at least one)."""
    if factor >= 1:
        return plan
    communes = max(3, round(plan.communes * factor))
    epci = max(1, min(communes, round(plan.epci * factor)))
    qpv = max(1, round(plan.qpv * factor))
    contracts = max(1, min(epci, qpv, round(plan.contracts * factor)))
    pre = max(1, round(plan.pre * factor))
    return _Plan(plan.dep, communes, epci, qpv, contracts, pre)


def plan_departements(target: int, seed: int) -> list[_Plan]:
    """The départements of a scale and their counts.

    The national scale (and above) keeps all 101 départements at their national counts;
    below, fewer départements (drawn by population with the seed) keep theirs, and shrink
    only when their structure would take more than half the target.
    """
    plans = _national_plans(seed)
    if target >= NATIONAL_TRIPLES:
        return plans
    wanted = max(1, min(len(plans), round(len(plans) * target / NATIONAL_TRIPLES)))
    rng = random.Random(f"partenariat-synth/{seed}/departements")
    keys = [(rng.random() ** (1.0 / p.dep.population_k), i) for i, p in enumerate(plans)]
    chosen = sorted(i for _key, i in sorted(keys, reverse=True)[:wanted])
    picked = [plans[i] for i in chosen]
    estimate = sum(_structure_estimate(p) for p in picked)
    factor = min(1.0, STRUCTURE_SHARE * target / estimate)
    return [_shrink(p, factor) for p in picked]


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

Pairs = list[tuple[str, str]]


@dataclass
class _Pre:
    """What a PRE leaves for its pathways."""

    key: str  # pre-59-03-1
    label: str
    graph: str
    partners: list[str]  # local actors taking part, who also take part in the pathways
    referents: list[str]
    qpvs: list[str]
    capacity: float


@dataclass
class _Contract:
    """A contrat de ville being written: its place, QPV and local actors."""

    key: str  # 59-03
    label: str  # 59-03 as shown
    territory: str  # IRI term of the intercommunal territory
    epci: str  # actor key
    qpvs: list[tuple[str, str, int]]  # QPV key, commune INSEE code, population
    mairies: dict[str, str]  # commune INSEE code: actor key
    local: list[str]  # actor keys
    schools: dict[str, list[str]]  # QPV key: schools
    operators: dict[str, list[str]]  # QPV key: associations and social centre
    ends: list[str]  # one entry per participation, for preferential attachment


class _Generator:
    """The synthetic graph, written node by node."""

    def __init__(self, writer: _Writer, seed: int, target: int, defined: set[str]) -> None:
        self.w = writer
        self.seed = seed
        self.target = target
        self.defined = defined
        self.kind: dict[str, str] = {}  # actor key: kind (keys of ROLES)
        self.dep_pool: list[str] = []  # the local actors of the current département
        self.dep_ends: list[str] = []  # their participations, for preferential attachment
        self.pres: list[_Pre] = []
        self.pathways = 0
        self.pathway_years = 0
        self.programme = {
            name: iri(f"{PID}programme-{name}")
            for name in ("pre", "city-contract", "educational-strand", "reaap", "clas")
            if f"{PID}programme-{name}" in defined or not defined
        }
        law = f"{PID}law-2014-02-21"
        self.law = iri(law) if law in defined else None

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def base(cls: str, label: str, extra: Iterable[tuple[str, str]] = ()) -> Pairs:
        """Type, French label and provenance of a synthetic node, then its other pairs."""
        return [(A, cls), (LABEL, lit_fr(label)), (REF, SOURCE), (GEN, ACTIVITY), *extra]

    def actor(
        self,
        key: str,
        label: str,
        kind: str,
        types: Sequence[str],
        territory: str | None,
        public: bool = True,
        label_en: str | None = None,
    ) -> str:
        """An organisation with its types (concepts of pc:organisation-types); its key."""
        pairs = self.base(C_PUBORG if public else C_ORG, label)
        if label_en:
            pairs.append((LABEL, lit_en(label_en)))
        pairs.extend((ORG_TYPE, _c(t)) for t in types)
        if territory:
            pairs.append((TERRITORY, territory))
        self.w.node(s_iri(key), pairs)
        self.kind[key] = kind
        return key

    def person(self, key: str, label: str, kind: str, job: str, member_of: str) -> str:
        """A professional of an organisation; its key."""
        self.w.node(
            s_iri(key),
            self.base(C_PROFESSIONAL, label, [(PROF_ROLE, _c(job)), (MEMBER_OF, s_iri(member_of))]),
        )
        self.kind[key] = kind
        return key

    @staticmethod
    def coding(rng: random.Random, partners: int, kind: str) -> Pairs:
        """Framework coding of a scheme: value of care, conception of action, threshold,
        épreuve, partnership level, method and form; the level follows the number of
        partners, and the conception and form lean on the level."""
        level = 0 if partners < 10 else 1 if partners < 40 else 2
        conception = level if rng.random() < 0.6 else rng.randrange(3)
        care = CARE_WEIGHTS.get(kind, (0.34, 0.33, 0.33))
        form = min(2, level + (rng.random() < 0.3))
        return [
            (CODED, _c(rng.choices(VALUES_OF_CARE, care)[0])),
            (CODED, _c(CONCEPTIONS[conception])),
            (CODED, _c(rng.choice(THRESHOLDS))),
            (CODED, _c(rng.choice(TESTS))),
            (CODED, _c(LEVELS[level])),
            (CODED, _c(rng.choice(METHODS))),
            (CODED, _c(FORMS[form])),
        ]

    def scheme(
        self,
        rng: random.Random,
        key: str,
        label: str,
        kind: str,
        partners: int,
        extra: Iterable[tuple[str, str]],
        label_en: str | None = None,
    ) -> None:
        """A scheme of a type of pc:scheme-types, implementing its national programme when the
        corpus defines it, coded in the framework."""
        pairs = self.base(C_SCHEME, label, [(SCHEME_TYPE, _c(SCHEME_TYPES[kind]))])
        if label_en:
            pairs.append((LABEL, lit_en(label_en)))
        programme = self.programme.get(SCHEME_TYPES[kind])
        if programme:
            pairs.append((IMPLEMENTS, programme))
        pairs.extend(extra)
        pairs.extend(self.coding(rng, partners, kind))
        self.w.node(s_iri(key), pairs)

    def partnership(
        self, rng: random.Random, scheme: str, actor: str, roles: Sequence[str], start: int | None
    ) -> None:
        """One participation of an actor in a scheme."""
        pairs = [
            (A, C_PARTNERSHIP),
            (IN_SCHEME, s_iri(scheme)),
            (PARTNER, s_iri(actor)),
            (REF, SOURCE),
            (GEN, ACTIVITY),
        ]
        pairs.extend((ROLE, _c(r)) for r in roles)
        if start is not None:
            pairs.append((START, lit_year(start)))
        texts = CONTRIBUTIONS.get(self.kind.get(actor, ""))
        if texts and rng.random() < 0.25:
            pairs.append((CONTRIBUTION, lit_fr(rng.choice(texts))))
        self.w.node(s_iri(f"partnership-{scheme}-{actor}"), pairs)

    def partners(
        self,
        rng: random.Random,
        scheme: str,
        mandatory: Sequence[tuple[str, Sequence[str]]],
        extra: int,
        local: Sequence[str],
        wide: Sequence[str],
        ends: list[str],
        start: int | None,
    ) -> list[str]:
        """The participations of a scheme: the mandatory partners with their roles, then
        `extra` others by preferential attachment (an actor already in many schemes is
        likelier to join), else from the local pool or, less often, the département's.
        Returns the extra partners."""
        chosen: dict[str, None] = {}
        for actor, roles in mandatory:
            if actor not in chosen:
                chosen[actor] = None
                self.partnership(rng, scheme, actor, roles, start)
                ends.append(actor)
        picked: list[str] = []
        attempts = 0
        while len(picked) < extra and attempts < extra * 4 + 8:
            attempts += 1
            draw = rng.random()
            if draw < 0.55 and ends:
                actor = rng.choice(ends)
            elif draw < 0.9 and local:
                actor = rng.choice(local)
            elif wide:
                actor = rng.choice(wide)
            else:
                continue
            if actor in chosen:
                continue
            chosen[actor] = None
            picked.append(actor)
            ends.append(actor)
            roles = ROLES.get(self.kind.get(actor, ""), ("role-associated-partner",))
            self.partnership(rng, scheme, actor, (rng.choice(roles),), start)
        return picked

    def funding(
        self,
        scheme: str,
        year: int,
        payer: str,
        amount: float,
        item: str,
        ratio: float | None = None,
    ) -> None:
        """A yearly funding contribution of a payer (an actor or a scheme key) with its amount."""
        key = f"{scheme}-{year}-{payer}"
        pairs = [
            (A, C_FUNDING),
            (PAYER, s_iri(payer)),
            (FUNDED_SCHEME, s_iri(scheme)),
            (FUNDED_ITEM, lit_fr(item)),
            (YEAR, lit_year(year)),
            (AMOUNT, s_iri(f"amount-{key}")),
            (REF, SOURCE),
            (GEN, ACTIVITY),
        ]
        if ratio is not None:
            pairs.append((SHARE_RATIO, lit_dec(ratio)))
        self.w.node(s_iri(f"funding-{key}"), pairs)
        self.w.node(
            s_iri(f"amount-{key}"),
            [(A, C_AMOUNT), (VALUE_S, lit_int(int(amount))), (CURRENCY, EUR), (GEN, ACTIVITY)],
        )

    def figure(
        self,
        key: str,
        of: str,
        measure: str,
        value: int,
        unit: str,
        label: str,
        extra: Iterable[tuple[str, str]] = (),
    ) -> None:
        """A figure (a qb:Observation) about a node."""
        pairs = self.base(
            C_FIGURE,
            label,
            [(FIGURE_OF, of), (MEASURE, _c(measure)), (VALUE, lit_int(value)), (UNIT, lit_str(unit))],
        )
        pairs.extend(extra)
        self.w.node(s_iri(key), pairs)

    # -- national level --------------------------------------------------------

    def national(self, plans: Sequence[_Plan], scale: str) -> None:
        """The dataset and the activity that made it, the régions and académies of the
        départements (unless the corpus defines them), the rectorats, the national actors."""
        w = self.w
        w.graph(NATIONAL_GRAPH)
        w.node(
            SOURCE,
            [
                (A, _p("SourceDocument")),
                (LABEL, lit_fr("Jeu de données synthétique du générateur partenariat (données fictives)")),
                (LABEL, lit_en("Synthetic dataset of the partenariat generator (fictitious data)")),
                (DESCRIPTION, lit_fr(SOURCE_DESCRIPTION)),
                (GEN, ACTIVITY),
            ],
        )
        departements = ", ".join(p.dep.code for p in plans)
        w.node(
            ACTIVITY,
            [
                (A, f"<{PROV}Activity>"),
                (LABEL, lit_fr(f"Génération synthétique (graine {self.seed}, cible {self.target} triplets)")),
                (LABEL, lit_en(f"Synthetic generation (seed {self.seed}, target {self.target} triples)")),
                (IDENTIFIER, lit_str(f"seed={self.seed};scale={scale};target={self.target}")),
                (
                    DESCRIPTION,
                    lit_fr(
                        f"partenariat synth --scale {scale} --seed {self.seed}\n"
                        f"Départements : {departements}\n"
                        f"Toutes les données sont fictives ; leurs identifiants commencent par <{SYNTH}>."
                    ),
                ),
                (NOTE, lit_fr(ESCAPE_PROBE)),
            ],
        )
        france = iri(f"{PID}france")
        if f"{PID}france" not in self.defined:
            w.node(
                france,
                [
                    (A, _p("Country")),
                    (LABEL, lit_fr("France")),
                    (LABEL, lit_en("France")),
                    (REF, INSEE_COG),
                    (GEN, ACTIVITY),
                ],
            )
        regions = dict.fromkeys(p.dep.region for p in plans)
        academies = dict.fromkeys(p.dep.academie for p in plans if p.dep.academie)
        for code in regions:
            if region_iri(code) not in self.defined:
                w.node(
                    iri(region_iri(code)),
                    [
                        (A, _p("Region")),
                        (LABEL, lit_fr(REGIONS[code])),
                        (LABEL, lit_en(REGIONS[code])),
                        (INSEE, lit_str(code)),
                        (WITHIN, france),
                        (REF, INSEE_COG),
                        (GEN, ACTIVITY),
                    ],
                )
        for name in academies:
            if academie_iri(name) not in self.defined:
                w.node(
                    iri(academie_iri(name)),
                    [
                        (A, _p("Academie")),
                        (LABEL, lit_fr(_academie_label(name))),
                        (LABEL, lit_en(f"{name} academy")),
                        (WITHIN, iri(region_iri(ACADEMIES[name]))),
                        (REF, MEN_ACADEMIES),
                        (GEN, ACTIVITY),
                    ],
                )
            self.actor(
                f"rectorat-{slug(name)}",
                f"Rectorat synthétique ({_academie_label(name)})",
                "rectorat",
                ("academy-services", "education-nationale"),
                iri(academie_iri(name)),
                label_en=f"Synthetic rectorate ({name} academy)",
            )
        self.actor(
            NATIONAL_AGENCY,
            "Agence nationale synthétique de la cohésion des territoires",
            "agency",
            ("state-agency",),
            france,
            label_en="Synthetic national agency for territorial cohesion",
        )
        self.actor(
            "federation-centres-sociaux",
            "Fédération synthétique des centres sociaux",
            "federation",
            ("social-centre-federation", "association"),
            france,
            public=False,
            label_en="Synthetic federation of social centres",
        )

    # -- a département ---------------------------------------------------------

    def departement(self, plan: _Plan) -> None:
        """Territories, actors, schemes, participations and fundings of one département,
        in its own named graph."""
        dep = plan.dep
        code, k = dep.code, dep.key
        graph = f"{GRAPH_SYNTH}departement-{k}"
        self.w.graph(graph)
        self.dep_pool, self.dep_ends = [], []
        rng = random.Random(f"partenariat-synth/{self.seed}/{code}")
        dep_iri = iri(departement_iri(dep))
        if departement_iri(dep) not in self.defined:
            pairs = [
                (A, _p("Departement")),
                (LABEL, lit_fr(dep.name)),
                (LABEL, lit_en(dep.name)),
                (INSEE, lit_str(code)),
                (WITHIN, iri(region_iri(dep.region))),
                (REF, INSEE_COG),
                (GEN, ACTIVITY),
            ]
            if dep.academie:
                pairs += [(WITHIN, iri(academie_iri(dep.academie))), (REF, MEN_ACADEMIES)]
            self.w.node(dep_iri, pairs)

        # The département's bodies: CAF, council, education services, prefecture, EPE.
        tag = f"{dep.name} ({code})"
        wide = [
            self.actor(f"caf-{k}", f"CAF synthétique — {tag}", "caf", ("caf",), dep_iri,
                       label_en=f"Synthetic CAF — {tag}"),
            self.actor(f"conseil-departemental-{k}", f"Conseil départemental synthétique — {tag}",
                       "departement-council", ("departement-council",), dep_iri,
                       label_en=f"Synthetic département council — {tag}"),
            self.actor(f"dsden-{k}", f"Services départementaux de l’Éducation nationale synthétiques — {tag}",
                       "dsden", ("academy-services", "education-nationale"), dep_iri,
                       label_en=f"Synthetic département education services — {tag}"),
            self.actor(f"prefecture-{k}", f"Préfecture synthétique — {tag}", "prefecture",
                       ("state-service",), dep_iri, label_en=f"Synthetic prefecture — {tag}"),
        ]
        if rng.random() < 0.6:
            wide.append(self.actor(f"epe-{k}", f"École des parents synthétique — {tag}", "epe",
                                   ("parents-school", "association"), dep_iri, public=False))

        # EPCI and their communes, with population figures and CCAS.
        sizes = _apportion(plan.communes, [math.exp(rng.gauss(0, 0.7)) for _ in range(plan.epci)], 1)
        width = 2 if len(code) == 3 else 3
        number = 0
        epcis: list[tuple[str, str, list[tuple[str, int]]]] = []  # key, territory, communes
        for e in range(plan.epci):
            ekey = f"{k}-{e + 1:02d}"
            territory = f"territoire-epci-{ekey}"
            name = f"{code}-{e + 1:02d}"
            self.w.node(
                s_iri(territory),
                self.base(_p("Intercommunality"), f"Territoire intercommunal synthétique {name}",
                          [(WITHIN, dep_iri)]),
            )
            communes: list[tuple[str, int]] = []
            for c in range(sizes[e]):
                number += 1
                insee = f"{code}{number:0{width}d}"
                name = f"{code}-{number:0{width}d}"
                commune = f"commune-{insee.lower()}"
                mean = 9.6 if c == 0 else 6.2  # the first is the centre of the intercommunality
                population = 20 + int(math.exp(rng.gauss(mean, 0.9 if c == 0 else 1.1)))
                self.w.node(
                    s_iri(commune),
                    self.base(_p("Commune"), f"Commune synthétique {name}",
                              [(INSEE, lit_str(insee)), (WITHIN, dep_iri), (WITHIN, s_iri(territory))]),
                )
                self.figure(f"figure-{commune}-population", s_iri(commune), "measure-population",
                            population, "habitants", f"Population de la commune synthétique {name}",
                            [(YEAR, lit_year(2017))])
                if population >= 1_500:
                    self.actor(f"ccas-{insee.lower()}", f"CCAS synthétique de la commune {name}", "ccas",
                               ("ccas",), s_iri(commune))
                communes.append((insee, population))
            epcis.append((ekey, territory, communes))

        # The most populated EPCI hold the contrats de ville; QPV and PRE follow population.
        population = [sum(p for _c, p in communes) for _k, _t, communes in epcis]
        holders = sorted(sorted(range(plan.epci), key=lambda i: (-population[i], i))[: plan.contracts])
        qpv_counts = _apportion(plan.qpv, [population[i] ** 0.8 for i in holders], minimum=1)
        pre_counts = _apportion(plan.pre, [float(q) for q in qpv_counts],
                                minimum=1 if plan.pre >= plan.contracts else 0)
        qpv_number = 0
        for e, (ekey, territory, communes) in enumerate(epcis):
            epci = self.actor(f"epci-{ekey}", f"EPCI synthétique {code}-{e + 1:02d}", "epci", ("epci",),
                              s_iri(territory))
            if e in holders:
                slot = holders.index(e)
                contract = self.neighbourhoods(rng, dep, ekey, territory, epci, communes,
                                               qpv_counts[slot], qpv_number)
                qpv_number += qpv_counts[slot]
                self.contract(rng, contract, wide, pre_counts[slot], graph,
                              f"rectorat-{slug(dep.academie)}" if dep.academie else None)

        # The département's REAAP network, carried by the CAF.
        caf = wide[0]
        reaap = f"reaap-{k}"
        members = [a for a in self.dep_pool if self.kind[a] in PARENTING_KINDS]
        extra = min(len(members), int(10 * rng.paretovariate(1.1)), 400)
        self.scheme(rng, reaap, f"REAAP synthétique — {tag}", "reaap", extra + 1,
                    [(TERRITORY, dep_iri), (CARRIED_BY, s_iri(caf)), (START, lit_year(1999 + rng.randrange(10)))],
                    label_en=f"Synthetic parent support network — {tag}")
        self.partners(rng, reaap, [(caf, ("role-carrier", "role-funder"))], extra, members, wide,
                      self.dep_ends, None)
        for year in FUNDING_YEARS:
            self.funding(reaap, year, caf, round(math.exp(rng.gauss(12.5, 0.5)), -2), "animation du réseau")

    def neighbourhoods(
        self,
        rng: random.Random,
        dep: Departement,
        ekey: str,
        territory: str,
        epci: str,
        communes: list[tuple[str, int]],
        count: int,
        first: int,
    ) -> _Contract:
        """The QPV of a contract's territory (one in its centre, the others where people
        live) and their local actors: municipality, CCAS, schools, associations, social
        centre; the intercommunality's mission locale and prevention association."""
        code = dep.code
        hosts = [0, *rng.choices(range(len(communes)), [p**1.3 for _c, p in communes], k=count - 1)]
        t_iri = s_iri(territory)
        contract = _Contract(ekey, f"{code}-{ekey.split('-')[-1]}", t_iri, epci, [], {}, [], {}, {}, [])
        for n, host in enumerate(hosts, start=first + 1):
            insee = communes[host][0]
            commune = s_iri(f"commune-{insee.lower()}")
            qp = f"QP{code:0>3}{n:03d}"
            qpv = f"qpv-{qp.lower()}"
            qid = qp[2:].lower()
            population = min(25_000, 1_000 + int(math.exp(rng.gauss(7.8, 0.8))))
            extra = [(IDENTIFIER, lit_str(qp)), (WITHIN, commune)]
            if self.law:
                extra.append((FRAMED_BY, self.law))
            self.w.node(s_iri(qpv), self.base(_p("PriorityNeighbourhood"), f"Quartier prioritaire synthétique {qp}", extra))
            self.figure(f"figure-{qpv}-population", s_iri(qpv), "measure-population", population, "habitants",
                        f"Population du quartier prioritaire synthétique {qp}", [(YEAR, lit_year(2013))])
            contract.qpvs.append((qpv, insee, population))
            if insee not in contract.mairies:
                name = f"{code}-{insee[len(code):]}"
                contract.mairies[insee] = self.actor(f"mairie-{insee.lower()}",
                                                     f"Commune synthétique {name} (municipalité)", "commune",
                                                     ("commune",), commune)
                ccas = f"ccas-{insee.lower()}"
                if ccas not in self.kind:
                    self.actor(ccas, f"CCAS synthétique de la commune {name}", "ccas", ("ccas",), commune)
                contract.local += [ccas, contract.mairies[insee]]
            q_iri = s_iri(qpv)
            schools = [
                self.actor(f"ecole-{qid}-{i + 1}", f"École synthétique {qid.upper()}-{i + 1}", "school",
                           ("school", "education-nationale"), q_iri)
                for i in range(3 + rng.randrange(3))
            ]
            if rng.random() < 0.6:
                schools.append(self.actor(f"college-{qid}", f"Collège synthétique {qid.upper()}", "college",
                                          ("school", "education-nationale"), q_iri))
            operators = [
                self.actor(f"association-{qid}-{i + 1}",
                           f"Association synthétique {rng.choice(ASSOCIATION_NAMES)} {qid.upper()}-{i + 1}",
                           "association", ("association",), q_iri, public=False)
                for i in range(2 + rng.randrange(5))
            ]
            if rng.random() < 0.7:
                operators.append(self.actor(f"centre-social-{qid}", f"Centre social synthétique {qid.upper()}",
                                            "social-centre", ("social-centre", "association"), q_iri,
                                            public=False))
            contract.schools[qpv] = schools
            contract.operators[qpv] = operators
            contract.local += schools + operators
        contract.local.append(self.actor(f"mission-locale-{ekey}", f"Mission locale synthétique {contract.label}",
                                         "mission-locale", ("mission-locale",), t_iri, public=False))
        if rng.random() < 0.7:
            contract.local.append(self.actor(f"prevention-{ekey}",
                                             f"Association de prévention spécialisée synthétique {contract.label}",
                                             "prevention", ("specialised-prevention", "association"), t_iri,
                                             public=False))
        self.dep_pool += contract.local
        return contract

    # -- a contrat de ville with its educational strand, PRE and local schemes -------------

    def contract(
        self, rng: random.Random, c: _Contract, wide: list[str], pre_count: int, graph: str,
        rectorat: str | None,
    ) -> None:
        """A contrat de ville: its pillars, convention, signatories and State credits; its
        educational strand with its steering committee; its PRE; the CLAS, activities and
        parenting schemes of its QPV; their participations and yearly fundings."""
        caf, council, dsden, prefecture = wide[:4]
        cv = f"contrat-de-ville-{c.key}"
        delegate = self.person(f"delegue-prefet-{c.key}", f"Délégué du préfet synthétique ({c.label})",
                               "delegate", "job-prefect-delegate", prefecture)
        signatories: list[tuple[str, Sequence[str]]] = [
            (c.epci, ("role-signatory", "role-steering")),
            (prefecture, ("role-signatory", "role-funder")),
            (caf, ("role-signatory",)),
            (council, ("role-signatory",)),
            (dsden, ("role-signatory",)),
            *((m, ("role-signatory",)) for m in c.mairies.values()),
        ]
        extra = min(60, int(3 * rng.paretovariate(1.5)))
        convention = f"convention-{cv}"
        axes = [f"axis-{cv}-{i + 1}" for i in range(len(AXES))]
        self.scheme(
            rng, cv, f"Contrat de ville synthétique {c.label}", "contract", len(signatories) + 1 + extra,
            [
                (TERRITORY, c.territory),
                (PILOTED_BY, s_iri(c.epci)),
                (START, lit_year(2015)),
                (END, lit_year(2022)),
                (USES, s_iri(convention)),
                *((HAS_AXIS, s_iri(a)) for a in axes),
            ],
            label_en=f"Synthetic city contract {c.label}",
        )
        for rank, (axis, text) in enumerate(zip(axes, AXES, strict=True), start=1):
            self.w.node(s_iri(axis), self.base(
                _p("Axis"), f"Pilier {rank} du contrat de ville synthétique {c.label} : {text}",
                [(TEXT, lit_fr(text)), (RANK, lit_int(rank))],
            ))
        signed = f'"2015-{rng.randrange(3, 13):02d}-{rng.randrange(1, 29):02d}"^^<{XSD}date>'
        self.w.node(s_iri(convention), self.base(
            _p("Convention"), f"Convention synthétique du contrat de ville {c.label}",
            [(DATE, signed), *((SIGNATORY, s_iri(a)) for a, _roles in signatories)],
        ))
        self.partners(rng, cv, [*signatories, (delegate, ("role-interlocutor",))], extra, c.local, wide,
                      c.ends, 2015)
        for year in FUNDING_YEARS:
            self.funding(cv, year, NATIONAL_AGENCY, round(math.exp(rng.gauss(13.4, 0.7)), -3),
                         "crédits de la politique de la ville")

        # The educational strand and its steering committee.
        strand = f"volet-educatif-{c.key}"
        copil = f"copil-{strand}"
        self.w.node(s_iri(copil), self.base(
            _p("SteeringCommittee"), f"Comité de pilotage synthétique du volet éducatif {c.label}",
            [(SUB_ORG, s_iri(c.epci)), (FREQUENCY, lit_fr(rng.choice(("trimestriel", "semestriel", "annuel"))))],
        ))
        self.kind[copil] = "group"
        mandatory: list[tuple[str, Sequence[str]]] = [
            (copil, ("role-steering",)),
            (c.epci, ("role-coordinator",)),
            (dsden, ("role-steering",)),
            (caf, ("role-funder",)),
            (prefecture, ("role-steering",)),
        ]
        if rectorat:
            mandatory.append((rectorat, ("role-associated-partner",)))
        extra = min(80, int(6 * rng.paretovariate(1.4)))
        self.scheme(
            rng, strand, f"Volet éducatif synthétique du contrat de ville {c.label}", "strand",
            len(mandatory) + extra,
            [(PART_OF, s_iri(cv)), (TERRITORY, c.territory), (PILOTED_BY, s_iri(copil)), (START, lit_year(2015))],
            label_en=f"Synthetic educational strand of city contract {c.label}",
        )
        self.partners(rng, strand, mandatory, extra, c.local, wide, c.ends, 2015)

        # The PRE, sharing the QPV.
        shares = _apportion(len(c.qpvs), [1.0] * pre_count, minimum=1) if pre_count else []
        offset = 0
        pres = []
        for n, share in enumerate(shares, start=1):
            covered = c.qpvs[offset: offset + share] or c.qpvs[-1:]
            offset += share
            pres.append(self.pre(rng, c, n, strand, covered, wide, graph))
        self.pres += pres

        # CLAS and activities in each QPV.
        for qpv, insee, _population in c.qpvs:
            qid = qpv.removeprefix("qpv-qp")
            mairie = c.mairies[insee]
            operators = c.operators[qpv]
            if rng.random() < 0.8:
                clas = f"clas-{qid}"
                carrier = rng.choice(operators) if operators else mairie
                extra = min(40, int(2 * rng.paretovariate(1.6)))
                self.scheme(
                    rng, clas, f"CLAS synthétique {qid.upper()}", "clas", extra + 3,
                    [
                        (PART_OF, s_iri(strand)),
                        (TERRITORY, s_iri(qpv)),
                        (CARRIED_BY, s_iri(carrier)),
                        (START, lit_year(2008 + rng.randrange(10))),
                        (TARGET, lit_fr("élèves de l’école élémentaire et du collège et leurs parents")),
                    ],
                )
                mandatory = [(carrier, ("role-carrier", "role-operator")), (caf, ("role-funder",)),
                             *((s, ("role-referrer",)) for s in c.schools[qpv][:1])]
                self.partners(rng, clas, mandatory, extra, c.local, wide, c.ends, None)
                for year in FUNDING_YEARS:
                    total = math.exp(rng.gauss(9.6, 0.5))
                    share = round(rng.uniform(0.35, 0.65), 2)
                    self.funding(clas, year, caf, round(total * share, -1), "prestation de service CLAS", share)
                    self.funding(clas, year, mairie, round(total * (1 - share), -1), "subvention municipale",
                                 round(1 - share, 2))
            parent = pres[0].key if pres else strand
            for i in range(rng.choice((0, 1, 1, 2))):
                activity = f"activite-{qid}-{i + 1}"
                carrier = rng.choice(operators) if operators else mairie
                extra = min(15, int(rng.paretovariate(1.8)))
                self.scheme(
                    rng, activity, f"Activité synthétique {qid.upper()}-{i + 1}", "activity", extra + 1,
                    [(PART_OF, s_iri(parent)), (TERRITORY, s_iri(qpv)), (FOUNDED_BY, s_iri(carrier))],
                )
                self.partners(rng, activity, [(carrier, ("role-founder", "role-operator"))], extra, c.local,
                              wide, c.ends, 2015 + rng.randrange(3))
                for year in FUNDING_YEARS[rng.randrange(4):]:
                    self.funding(activity, year, parent, round(math.exp(rng.gauss(7.8, 0.6)), -1),
                                 "matériel et sorties")

        # Parenting schemes, each with a group of parents.
        for i in range(1, 2 + (rng.random() < 0.5)):
            scheme = f"parentalite-{c.key}-{i}"
            qpv = rng.choice(c.qpvs)[0]
            group = f"parents-{qpv}-{i}"
            self.w.node(s_iri(group), self.base(
                _p("Group"), f"Parents du quartier synthétique {qpv.removeprefix('qpv-').upper()} (collectif)",
                [(GROUP_TYPE, _c("families")), (TERRITORY, s_iri(qpv))],
            ))
            self.kind[group] = "group"
            carriers = [a for a in c.local if self.kind[a] in {"social-centre", "association"}]
            carrier = rng.choice(carriers or [c.epci])
            extra = min(60, int(3 * rng.paretovariate(1.5)))
            self.scheme(
                rng, scheme, f"Dispositif parentalité synthétique {c.label}-{i}", "parenting", extra + 3,
                [(PART_OF, s_iri(strand)), (TERRITORY, c.territory), (CARRIED_BY, s_iri(carrier))],
            )
            mandatory = [(carrier, ("role-carrier",)), (group, ("role-participant",)), (caf, ("role-funder",))]
            self.partners(rng, scheme, mandatory, extra, c.local, wide, c.ends, 2016)
            for year in FUNDING_YEARS[1:]:
                self.funding(scheme, year, caf, round(math.exp(rng.gauss(9.8, 0.6)), -2),
                             "actions de soutien à la parentalité")
        self.dep_ends += c.ends

    def pre(
        self, rng: random.Random, c: _Contract, number: int, strand: str,
        qpvs: list[tuple[str, str, int]], wide: list[str], graph: str,
    ) -> _Pre:
        """A PRE: its carrier (a GIP, the CCAS, the municipality or the EPCI), team,
        coordinator and referents, heavy-tailed partners, coding, and yearly funding by the
        State, the CAF, the municipality and the département."""
        caf, council, dsden, prefecture = wide[:4]
        key = f"pre-{c.key}-{number}"
        label = f"{c.label}-{number}"
        insee = qpvs[0][1]
        mairie = c.mairies[insee]
        draw = rng.random()
        if draw < 0.3:
            carrier = self.actor(f"gip-{key}", f"GIP de réussite éducative synthétique {label}", "gip", ("gip",),
                                 c.territory)
        elif draw < 0.65:
            carrier = f"ccas-{insee.lower()}"
        elif draw < 0.85:
            carrier = mairie
        else:
            carrier = c.epci
        team = f"equipe-{key}"
        self.w.node(s_iri(team), self.base(
            _p("PluridisciplinaryTeam"), f"Équipe pluridisciplinaire synthétique du PRE {label}",
            [(SUB_ORG, s_iri(carrier)), (FREQUENCY, lit_fr("mensuelle"))],
        ))
        self.kind[team] = "group"
        coordinator = self.person(f"coordinateur-{key}", f"Coordinateur synthétique du PRE {label}",
                                  "professional", "job-coordinator", carrier)
        capacity = sum(p for _q, _i, p in qpvs) * math.exp(rng.gauss(0, 0.3))
        referents = [
            self.person(f"referent-{key}-{r}", f"Référent de parcours synthétique {r} du PRE {label}",
                        "professional", "job-referent", carrier)
            for r in range(1, 2 + min(11, int(capacity / 6_000)))
        ]
        mandatory: list[tuple[str, Sequence[str]]] = [
            (carrier, ("role-carrier",)),
            (team, ("role-operator",)),
            (coordinator, ("role-coordinator",)),
            (caf, ("role-funder",)),
            (prefecture, ("role-funder", "role-steering")),
            (dsden, ("role-referrer",)),
            (council, ("role-follow-up",)),
            (mairie, ("role-funder",)),
            *((r, ("role-follow-up",)) for r in referents),
        ]
        extra = min(300, int(8 * rng.paretovariate(1.2)))
        founded = 2005 + rng.randrange(8)
        self.scheme(
            rng, key, f"PRE synthétique {label}", "pre", len(mandatory) + extra,
            [
                (PART_OF, s_iri(strand)),
                (TERRITORY, c.territory),
                (CARRIED_BY, s_iri(carrier)),
                (PILOTED_BY, s_iri(carrier)),
                (FOUNDING_YEAR, lit_year(founded)),
                (TARGET, lit_fr("enfants de 2 à 16 ans des quartiers prioritaires et leurs familles")),
            ],
            label_en=f"Synthetic educational success programme {label}",
        )
        picked = self.partners(rng, key, mandatory, extra, c.local, wide, c.ends, founded)
        budget = math.exp(rng.gauss(12.4, 0.6)) + capacity * 8
        state = round(rng.uniform(0.45, 0.7), 2)
        family = round(rng.uniform(0.05, 0.15), 2)
        council_share = round(rng.uniform(0.0, 0.1), 2)
        city = round(1 - state - family - council_share, 2)
        payers = ((NATIONAL_AGENCY, state), (caf, family), (mairie, city), (council, council_share))
        for year in FUNDING_YEARS:
            for payer, share in payers:
                if share > 0:
                    self.funding(key, year, payer, round(budget * share, -2), "fonctionnement du PRE", share)
        pool = [a for a in picked if self.kind.get(a) in PATHWAY_KINDS]
        pool = pool or c.schools[qpvs[0][0]][:3]
        return _Pre(key, label, graph, pool, referents, [q for q, _i, _p in qpvs], capacity)

    # -- the pathways ------------------------------------------------------------

    def all_pathways(self) -> None:
        """Individual pathways sized to what is left of the target, spread over school years
        (about 100,000 children a year nationally) and over the PRE by their capacity."""
        if not self.pres:
            return
        budget = max(0, self.target - self.w.count)
        total = max(len(self.pres), round(budget / PATHWAY_TRIPLES))
        nominal = PATHWAYS_PER_YEAR_NAT * len(self.pres) / PRE_NAT
        years = max(1, min(MAX_PATHWAY_YEARS, round(total / max(nominal, 1.0))))
        self.pathway_years = years
        capacities = [p.capacity for p in self.pres]
        for offset, count in enumerate(_apportion(total, [1.0] * years)):
            for pre, n in zip(self.pres, _apportion(count, capacities), strict=True):
                self.w.graph(pre.graph)
                self.pathways_of(pre, FIRST_SCHOOL_YEAR + offset, n)

    def pathways_of(self, pre: _Pre, year: int, count: int) -> None:
        """The pathways of one PRE in one school year, and their count as a figure.

        Each child is a part:Recipient known by a pseudonym, whose age, grade, school delay
        and situation use the properties the ontology flags as personal data; a parent
        sometimes takes part too. The pathway (a scheme of the type flagged personal data)
        has the child, a referent and a few of the PRE's partners as participants, and the
        PRE sometimes pays for something.
        """
        rng = random.Random(f"partenariat-synth/{self.seed}/{pre.key}/{year}")
        node = self.w.node
        school_year = lit_str(f"{year}-{year + 1}")
        pre_iri = s_iri(pre.key)
        tag = pre.key.removeprefix("pre-")
        ends: list[str] = []
        for n in range(1, count + 1):
            ident = f"{tag}-{year}-{n:04d}"
            pseudonym = f"E-{ident.upper()}"
            recipient, pathway = f"recipient-{ident}", f"pathway-{ident}"
            r_iri, p_iri = s_iri(recipient), s_iri(pathway)
            age = rng.randrange(2, 17)
            delay = 0 if age < 7 else rng.choices((0, 1, 2), (0.6, 0.3, 0.1))[0]
            grade = GRADES[max(0, min(len(GRADES) - 1, age - 3 - delay))]
            node(r_iri, [
                (A, C_RECIPIENT),
                (LABEL, lit_fr(f"{pseudonym} (enfant fictif)")),
                (PSEUDONYM, lit_str(pseudonym)),
                (AGE, lit_int(age)),
                (GRADE, lit_fr(grade)),
                (DELAY, lit_int(delay)),
                (SITUATION, lit_fr(rng.choice(SITUATIONS))),
                (REF, SOURCE),
                (GEN, ACTIVITY),
            ])
            month = rng.choice((9, 10, 11, 12, 1, 2, 3, 4, 5))
            node(p_iri, [
                (A, C_SCHEME),
                (LABEL, lit_fr(f"Parcours synthétique de {pseudonym} (PRE {pre.label})")),
                (SCHEME_TYPE, PATHWAY_TYPE),
                (PART_OF, pre_iri),
                (SCHOOL_YEAR, school_year),
                (START, lit_year_month(year if month >= 9 else year + 1, month)),
                (TERRITORY, s_iri(rng.choice(pre.qpvs))),
                (CODED, _c(rng.choices(VALUES_OF_CARE, CARE_WEIGHTS["pre"])[0])),
                (CODED, _c(rng.choice(THRESHOLDS))),
                (REF, SOURCE),
                (GEN, ACTIVITY),
            ])
            referent = rng.choice(pre.referents)
            participants = [(recipient, ROLE_RECIPIENT), (referent, ROLE_FOLLOW_UP)]
            seen = {referent}
            for i in range(min(6, int(rng.paretovariate(1.6)) - 1 + (rng.random() < 0.6))):
                actor = rng.choice(ends) if ends and rng.random() < 0.5 else rng.choice(pre.partners)
                if actor not in seen:
                    seen.add(actor)
                    ends.append(actor)
                    roles = ROLES.get(self.kind.get(actor, ""), ("role-support",))
                    participants.append((actor, _c("role-referrer" if i == 0 else rng.choice(roles))))
            if rng.random() < 0.25:
                parent = f"parent-{ident}"
                node(s_iri(parent), [
                    (A, C_RECIPIENT),
                    (LABEL, lit_fr(f"parent de {pseudonym} (fictif)")),
                    (PSEUDONYM, lit_str(f"parent de {pseudonym}")),
                    (SITUATION, lit_fr(rng.choice(PARENT_SITUATIONS))),
                    (REF, SOURCE),
                    (GEN, ACTIVITY),
                ])
                participants.append((parent, ROLE_RECIPIENT))
            for actor, role in participants:
                node(s_iri(f"partnership-{pathway}-{actor}"), [
                    (A, C_PARTNERSHIP),
                    (IN_SCHEME, p_iri),
                    (PARTNER, s_iri(actor)),
                    (ROLE, role),
                    (REF, SOURCE),
                    (GEN, ACTIVITY),
                ])
            if rng.random() < 0.4:
                key = f"{pathway}-{pre.key}"
                node(s_iri(f"funding-{key}"), [
                    (A, C_FUNDING),
                    (PAYER, pre_iri),
                    (FUNDED_SCHEME, p_iri),
                    (BENEFICIARY, r_iri),
                    (FUNDED_ITEM, lit_fr(rng.choice(FUNDED_ITEMS))),
                    (AMOUNT, s_iri(f"amount-{key}")),
                    (REF, SOURCE),
                    (GEN, ACTIVITY),
                ])
                node(s_iri(f"amount-{key}"), [
                    (A, C_AMOUNT),
                    (VALUE_S, lit_int(20 + 10 * int(math.exp(rng.gauss(3.6, 0.8))))),
                    (CURRENCY, EUR),
                    (GEN, ACTIVITY),
                ])
        self.pathways += count
        self.figure(
            f"figure-{pre.key}-{year}-young-people-supported", pre_iri, "measure-young-people-supported",
            count, "enfants", f"Enfants suivis par le PRE synthétique {pre.label} en {year}-{year + 1}",
            [(YEAR, lit_year(year)), (SCHOOL_YEAR, school_year)],
        )


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def generate(
    out: Path,
    scale: str | int = "small",
    seed: int = 0,
    fmt: str = "nt",
    with_cases: bool = False,
    root: Path | None = None,
) -> SynthResult:
    """Write a synthetic graph of about `scale` triples to `out`, atomically.

    The same seed and scale give the same bytes. The graph references the corpus's
    programmes, reference geography, law and vocabularies by IRI and never redefines a
    node the corpus types; with `with_cases` the corpus itself (ontology and data files,
    as the build loads them) is copied in first, so the output stands alone.
    """
    target = parse_scale(scale)
    if fmt not in FORMATS:
        raise SynthError(f"--format {fmt}: expected nt or nq")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SynthError(f"--seed {seed}: an integer is expected")
    scale_name = str(scale).strip().lower() if not isinstance(scale, int) else str(scale)
    root = corpus.project_root() if root is None else root
    started = time.perf_counter()
    has_corpus = (root / "ontology").is_dir() and (root / "data").is_dir()
    if with_cases and not has_corpus:
        raise SynthError(f"{root}: no ontology/ and data/ to copy for --with-cases")
    copy = _read_corpus(root, keep=with_cases) if has_corpus else _CorpusCopy()
    plans = plan_departements(target, seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            writer = _Writer(stream, quads=fmt == "nq")
            for graph, lines in copy.files:
                for line in lines:
                    writer.raw(line, graph)
            corpus_triples = writer.count
            generator = _Generator(writer, seed, target, copy.defined)
            generator.national(plans, scale_name)
            for plan in plans:
                generator.departement(plan)
            generator.all_pathways()
            writer.flush()
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return SynthResult(
        path=out,
        triples=writer.count,
        seconds=time.perf_counter() - started,
        target=target,
        fmt=fmt,
        seed=seed,
        departements=len(plans),
        pathways=generator.pathways,
        pathway_years=generator.pathway_years,
        corpus_triples=corpus_triples,
    )
