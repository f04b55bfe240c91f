"""The project's namespaces and the prefixes it writes and reads, in one place."""

from __future__ import annotations

PART = "https://w3id.org/partenariat/def#"
PID = "https://w3id.org/partenariat/id/"
PC = "https://w3id.org/partenariat/concept/"

PROJECT_PREFIXES = {"part": PART, "pid": PID, "pc": PC}

PREFIXES = {
    **PROJECT_PREFIXES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "qb": "http://purl.org/linked-data/cube#",
    "schema": "https://schema.org/",
    "cv": "http://data.europa.eu/m8g/",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "igeo": "http://rdf.insee.fr/def/geo#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
}


def expand(name: str, default: str = PID) -> str:
    """A full IRI from `pid:x`, `pc:x`, `part:x`, a bare slug (in the default namespace) or an IRI.

    >>> expand("encadre-1"), expand("pc:care"), expand("http://x/y")
    ('https://w3id.org/partenariat/id/encadre-1', 'https://w3id.org/partenariat/concept/care', 'http://x/y')
    """
    prefix, sep, local = name.partition(":")
    if sep and prefix in PROJECT_PREFIXES and not local.startswith("//"):
        return PROJECT_PREFIXES[prefix] + local
    if "://" in name or name.startswith("urn:"):
        return name
    return default + name


def shorten(iri: str) -> str:
    """An IRI as a prefixed name where a prefix of PREFIXES fits, else unchanged.

    >>> shorten("https://w3id.org/partenariat/def#CaseStudy")
    'part:CaseStudy'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
