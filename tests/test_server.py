"""The SPARQL endpoint: protocol, formats, refusals, limits, the public profile, the page."""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from partenariat import catalogue, server
from partenariat.api import python_value

PART = "https://w3id.org/partenariat/def#"
PID = "https://w3id.org/partenariat/id/"
PREFIX = f"PREFIX part: <{PART}>\nPREFIX pid: <{PID}>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
SELECT_THREE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"
CONSTRUCT_THREE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def store_dir(built) -> Path:
    out, _report = built
    return out / "store"


@pytest.fixture(scope="module")
def client(store_dir) -> Iterator[TestClient]:
    """The default server: the public profile, default limits."""
    with TestClient(server.create_app(store_dir)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def full_client(store_dir) -> Iterator[TestClient]:
    """The full graph, personal data included."""
    with TestClient(server.create_app(store_dir, full=True, workers=1)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def tiny_client(store_dir) -> Iterator[TestClient]:
    """Tiny limits: half a second, five rows."""
    app = server.create_app(store_dir, timeout_s=0.5, max_rows=5, workers=1)
    with TestClient(app) as test_client:
        yield test_client


def rows_of(response) -> list[dict]:
    """SPARQL JSON results as rows of plain Python values."""
    solutions = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    names = [v.value for v in solutions.variables]
    return [{name: python_value(solution[name]) for name in names} for solution in solutions]


def ask(test_client: TestClient, query: str) -> bool:
    response = test_client.get("/sparql", params={"query": PREFIX + query})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def assert_clean_error(response, status: int, *phrases: str) -> None:
    """An error answer: the status, a plain-text message with the phrases, no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/plain")
    for phrase in phrases:
        assert phrase in response.text, response.text
    for leak in ("Traceback", 'File "', "pyoxigraph.", "Exception"):
        assert leak not in response.text


# -- the protocol --------------------------------------------------------------------


def test_get_answers_json_by_default(client):
    response = client.get("/sparql", params={"query": SELECT_THREE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json()["head"]["vars"] == ["s", "p", "o"]
    assert len(response.json()["results"]["bindings"]) == 3


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("text/html, application/sparql-results+xml;q=0.9, */*;q=0.1", "application/sparql-results+xml",
         ox.QueryResultsFormat.XML),
    ],
)
def test_select_formats_follow_the_accept_header(client, accept, media, fmt):
    response = client.get("/sparql", params={"query": SELECT_THREE}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    solutions = ox.parse_query_results(response.content, fmt)
    assert len(list(solutions)) == 3


def test_csv_results(client):
    response = client.get("/sparql", params={"query": SELECT_THREE}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = response.text.strip().splitlines()
    assert lines[0] == "s,p,o" and len(lines) == 4


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml"),
     ("json", "application/sparql-results+json"), ("text/csv", "text/csv")],
)
def test_format_parameter_wins_over_accept(client, fmt, media):
    response = client.get(
        "/sparql", params={"query": SELECT_THREE, "format": fmt}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


def test_post_form_and_post_sparql_query_and_the_query_route(client):
    by_get = client.get("/sparql", params={"query": SELECT_THREE}).json()
    by_form = client.post("/sparql", data={"query": SELECT_THREE})
    by_body = client.post(
        "/sparql", content=SELECT_THREE.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    by_alias = client.post("/query", data={"query": SELECT_THREE})
    for response in (by_form, by_body, by_alias):
        assert response.status_code == 200, response.text
        assert response.json() == by_get


def test_ask(client):
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+xml"})
    assert bool(ox.parse_query_results(xml.content, ox.QueryResultsFormat.XML)) is True


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        (None, "text/turtle", ox.RdfFormat.TURTLE),
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/sparql-results+json, */*;q=0.9", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_formats(client, accept, media, fmt):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CONSTRUCT_THREE}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert len(list(ox.parse(response.content, format=fmt))) == 3


def test_describe(client):
    response = client.get(
        "/sparql", params={"query": f"DESCRIBE <{PID}apsa>", "format": "ntriples"}
    )
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert triples and all(t.subject == ox.NamedNode(PID + "apsa") for t in triples)


def test_queries_run_over_the_union_and_take_a_dataset(client):
    graphs = rows_of(client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}))
    names = {row["g"] for row in graphs}
    case_graph = "https://w3id.org/partenariat/graph/data/cases/encadre-1-angouleme"
    assert case_graph in names and len(names) > 5
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = rows_of(client.get("/sparql", params={"query": count}))[0]["n"]
    one = client.get("/sparql", params={"query": count, "default-graph-uri": case_graph})
    assert 0 < rows_of(one)[0]["n"] < union
    bad = client.get("/sparql", params={"query": count, "default-graph-uri": "not an iri"})
    assert_clean_error(bad, 400, "default-graph-uri")


# -- refusals and bad input ------------------------------------------------------------


def test_missing_or_repeated_query(client):
    assert_clean_error(client.get("/sparql"), 400, "Missing query")
    assert_clean_error(client.post("/sparql", data={"query": "  "}), 400, "Missing query")
    repeated = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert_clean_error(repeated, 400, "once")


def test_malformed_query_names_line_and_column(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert_clean_error(response, 400, "SPARQL syntax error at line 3, column ")
    assert re.search(r"line 3, column \d+: expected", response.text)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "url": "/sparql", "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"method": "GET", "url": "/sparql", "params": {"update": "CLEAR ALL"}},
        {"method": "POST", "url": "/sparql", "content": b"DROP ALL",
         "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "POST", "url": "/sparql", "data": {"query": "PREFIX ex: <urn:x> DELETE WHERE { ?s ?p ?o }"}},
        {"method": "GET", "url": "/query", "params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    ],
)
def test_updates_are_refused(client, request_kwargs):
    response = client.request(**request_kwargs)
    assert_clean_error(response, 403, "read-only")
    assert ask(client, "ASK { ?s ?p ?o }")
    assert not ask(client, "ASK { <urn:a> <urn:b> <urn:c> }")


@pytest.fixture()
def outside_server() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that records every request made to it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port, hits
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX : <{url}> SELECT * WHERE {{ SERVICE:x{{ ?s ?p ?o }} }}",
        # a lexer that reads <'> as an IRI would take the rest for a string
        "SELECT * WHERE {{ FILTER(1<'>') SERVICE <{url}> {{ }} }} #'",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "LOAD <{url}>",
    ],
)
def test_service_and_load_are_refused_without_a_call(client, outside_server, template):
    port, hits = outside_server
    query = template.format(url=f"http://127.0.0.1:{port}/sparql")
    response = client.post("/sparql", data={"query": query})
    assert_clean_error(response, 400, "refused")
    assert hits == []


def test_load_in_an_update_is_refused_too(client, outside_server):
    port, hits = outside_server
    response = client.post("/sparql", data={"update": f"LOAD <http://127.0.0.1:{port}/x.ttl>"})
    assert_clean_error(response, 400, "LOAD refused")
    assert hits == []


def test_the_words_service_and_load_are_fine_elsewhere(client):
    query = (
        "PREFIX service: <urn:service:> PREFIX ex: <http://example.org/load#>\n"
        'SELECT ?service WHERE { ?service service:load "self-service" ; ex:SERVICE <urn:load> } '
        "# SERVICE <http://example.org/> in a comment, and LOAD"
    )
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"query": SELECT_THREE, "format": "pdf"}, {}),
        ({"query": SELECT_THREE}, {"Accept": "image/png"}),
        ({"query": CONSTRUCT_THREE, "format": "csv"}, {}),
        ({"query": "ASK {}"}, {"Accept": "text/turtle"}),
    ],
)
def test_unknown_or_unacceptable_formats(client, params, headers):
    assert_clean_error(client.get("/sparql", params=params, headers=headers), 406)


def test_unsupported_request_body(client):
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert_clean_error(response, 415, "application/sparql-query")


def test_unknown_route_and_method(client):
    assert_clean_error(client.get("/nowhere"), 404)
    response = client.delete("/sparql")
    assert_clean_error(response, 405)


def test_an_internal_error_is_generic(store_dir, monkeypatch):
    app = server.create_app(store_dir, workers=1)

    def broken(job):
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(app.state.partenariat.pool, "run", broken)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/sparql", params={"query": "ASK {}"})
    assert_clean_error(response, 500, "Internal server error")
    assert "secret" not in response.text and "RuntimeError" not in response.text


# -- limits --------------------------------------------------------------------------


def test_time_limit(tiny_client):
    start = time.monotonic()
    response = tiny_client.get("/sparql", params={"query": HEAVY})
    assert_clean_error(response, 503, "timed out", "0.5 s")
    assert time.monotonic() - start < 10
    # the runaway query's worker was replaced: the next query is answered
    after = tiny_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_the_server_stays_responsive_during_a_long_query(store_dir):
    app = server.create_app(store_dir, timeout_s=3, workers=2)
    with TestClient(app) as test_client:
        test_client.get("/sparql", params={"query": "ASK {}"})  # both workers ready
        slow: dict = {}
        thread = threading.Thread(
            target=lambda: slow.update(response=test_client.get("/sparql", params={"query": HEAVY}))
        )
        thread.start()
        time.sleep(0.3)
        start = time.monotonic()
        assert test_client.get("/catalogue.json").status_code == 200
        quick = test_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        assert time.monotonic() - start < 2
        assert thread.is_alive()
        thread.join(30)
        assert slow["response"].status_code == 503


def test_result_size_limit(tiny_client):
    too_many = tiny_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert_clean_error(too_many, 413, "more than 5 rows", "LIMIT")
    too_many_triples = tiny_client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert_clean_error(too_many_triples, 413, "more than 5 triples")
    five = tiny_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert five.status_code == 200 and len(five.json()["results"]["bindings"]) == 5


# -- the public profile ---------------------------------------------------------------

PERSONAL = (
    "ASK { ?s part:age ?o }",
    "ASK { ?s part:schoolGrade ?o }",
    "ASK { ?s part:situation ?o }",
    'ASK { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), "13 ans")) }',
    'ASK { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), "deux ans de retard")) }',
)


@pytest.mark.parametrize("query", PERSONAL)
def test_the_public_profile_is_served_by_default(client, full_client, query):
    assert ask(full_client, query) is True
    assert ask(client, query) is False


def test_the_public_profile_keeps_the_recipient_and_redacts_passages(client, full_client):
    assert ask(client, 'ASK { pid:recipient-f part:pseudonym ?name }')
    assert ask(client, "ASK { ?passage part:redacted true ; part:lineNumber ?line }")
    assert not ask(client, "ASK { ?passage part:redacted true ; oa:exact ?text }")
    assert ask(full_client, "ASK { pid:recipient-f ?p ?o }")


def test_the_page_says_which_profile(client, full_client):
    assert 'data-profile="public"' in client.get("/").text
    assert 'data-profile="full"' in full_client.get("/").text


# -- the catalogue --------------------------------------------------------------------


def test_catalogue_json(client):
    response = client.get("/catalogue.json")
    assert response.status_code == 200
    entries = {entry["name"]: entry for entry in response.json()}
    cq01 = entries["cq01-partnership-levels"]
    assert cq01["title"] and cq01["description"] and cq01["question"] == "CQ01"
    assert cq01["parameters"][0]["name"] == "lang" and cq01["complete"] is True
    assert 'VALUES (?lang) { ("fr") }' in cq01["query"]
    english = {e["name"]: e for e in client.get("/catalogue.json", params={"lang": "en"}).json()}
    assert 'VALUES (?lang) { ("en") }' in english["cq01-partnership-levels"]["query"]
    assert_clean_error(client.get("/catalogue.json", params={"lang": "x y"}), 400, "lang")


def _multiset(rows: list[dict]) -> list[str]:
    """Rows in a canonical order (ORDER BY may leave ties in any order)."""
    return sorted(map(repr, rows))


def test_catalogue_queries_give_the_same_rows_as_the_knowledge_graph(full_client, kg):
    entries = [e for e in full_client.get("/catalogue.json").json() if e["complete"]]
    assert len(entries) >= 16
    for entry in entries:
        response = full_client.post("/sparql", data={"query": entry["query"]})
        assert response.status_code == 200, (entry["name"], response.text)
        assert _multiset(rows_of(response)) == _multiset(kg.query(entry["name"])), entry["name"]


def test_a_catalogue_query_on_the_public_profile(client, kg):
    text = catalogue.bound_text(catalogue.resolve("cq01-partnership-levels"), {})
    rows = rows_of(client.post("/sparql", data={"query": text}))
    assert len(rows) == 6
    assert rows == kg.query("cq01-partnership-levels")


# -- the page and its files -------------------------------------------------------------


def test_the_page_and_its_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr"' in page.text
    assert '<html lang="en"' in client.get("/", params={"lang": "en"}).text
    assert "static/yasgui.min.js" in page.text and "static/yasgui.min.css" in page.text
    assert "https://" not in page.text.split("<script id=\"prefixes\"")[0]  # no CDN
    prefixes = page.text.split('<script id="prefixes" type="application/json">')[1].split("</script>")[0]
    assert json.loads(prefixes)["part"] == PART
    for name, media in [
        ("yasgui.min.js", "javascript"),
        ("yasgui.min.css", "text/css"),
        ("app.js", "javascript"),
        ("app.css", "text/css"),
        ("LICENSE-yasgui.txt", "text/plain"),
    ]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and media in response.headers["content-type"], name
    licence = client.get("/static/LICENSE-yasgui.txt").text
    assert "MIT" in licence and "Zazuko" in licence and "Triply" in licence


def test_the_page_turns_off_outside_autocompleters():
    script = (Path(server.WEB_DIR) / "static" / "app.js").read_text(encoding="utf-8")
    assert 'name !== "class" && name !== "property"' in script
    assert "prefixCcApi = null" in script


def test_network_picture(client):
    response = client.get("/network.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content[:2000] and len(response.content) > 10_000


def test_cors(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "http://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


# -- end to end: the real server and a browser ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def live_url(store_dir) -> Iterator[str]:
    """The real server (uvicorn) on a free 127.0.0.1 port, in a thread."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(server.create_app(store_dir), host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not live.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    live.should_exit = True
    thread.join(30)


def _browser(playwright):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run", "--disable-sync"],
    )


def test_the_page_in_a_browser_offline(live_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    outside: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def only_this_server(route) -> None:
                if urlparse(route.request.url).hostname != "127.0.0.1":
                    outside.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()

            page.route("**/*", only_this_server)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(live_url)
            example = page.locator('#catalogue .example[data-name="cq01-partnership-levels"]')
            example.wait_for(timeout=15_000)
            assert page.evaluate(
                "() => window.partenariat.yasgui.getTab().getYasqe().config.autocompleters"
            ) == ["variables", "prefixes"]
            example.click()  # loads the query and runs it ("exécuter aussitôt" is on)
            rows = page.locator(".yasr table tbody tr")
            page.wait_for_function(
                "() => document.querySelectorAll('.yasr table tbody tr').length === 6", timeout=20_000
            )
            assert rows.count() == 6
            assert "encadre-1" in rows.first.inner_text()
            assert "caseNumber" in page.locator(".yasr table thead").inner_text()
            # the download links run the editor's query again
            csv_link = page.locator("#downloads a.download-csv")
            csv = page.request.get(live_url + csv_link.get_attribute("href"))
            assert csv.ok and csv.headers["content-type"].startswith("text/csv")
            assert len(csv.text().strip().splitlines()) == 7
            # the network picture
            page.locator("#network").scroll_into_view_if_needed()
            page.wait_for_function(
                "() => { const i = document.getElementById('network'); return i.complete && i.naturalWidth > 0; }",
                timeout=30_000,
            )
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [], f"the page asked outside hosts: {outside}"
    assert errors == []


def test_ontology_documentation_and_content_negotiation(built):
    from starlette.testclient import TestClient

    from partenariat.server import create_app

    out, _report = built
    with TestClient(create_app(out / "store", workers=1)) as client:
        turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
        assert "owl:Ontology" in turtle.text
        rdfxml = client.get("/ontology", headers={"Accept": "application/rdf+xml"})
        assert rdfxml.status_code == 200 and "<rdf:RDF" in rdfxml.text
        jsonld = client.get("/ontology", headers={"Accept": "application/ld+json"})
        assert jsonld.status_code == 200 and jsonld.json()
        html = client.get("/ontology", headers={"Accept": "text/html"}, follow_redirects=False)
        assert html.status_code == 303 and html.headers["location"] == "/ontology/fr/index.html"
        page = client.get("/ontology/en/ontology.html")
        assert page.status_code == 200 and "documented case (boxed case)" in page.text
        assert client.get("/ontology/../../etc/passwd").status_code == 404
        assert client.get("/ontology/fr/nothing.html").status_code == 404
