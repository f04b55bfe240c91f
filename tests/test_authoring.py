"""Case authoring: the YAML template, its JSON Schema, import, export and the round trip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from partenariat import authoring
from partenariat.namespaces import PID

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "authoring"
CASES = sorted((ROOT / "data" / "cases").glob("*.ttl"))




def copy_project(target: Path, names: tuple[str, ...] = ("ontology", "shapes", "data")) -> Path:
    for name in names:
        shutil.copytree(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("project"))


def test_the_committed_schema_is_the_generated_one():
    committed = json.loads((ROOT / authoring.SCHEMA_PATH).read_text(encoding="utf-8"))
    assert committed == authoring.json_schema(ROOT), (
        "schemas/case.schema.json is stale: regenerate it with "
        "python -c 'from partenariat import authoring; print(authoring.schema_text(), end=\"\")'"
    )


def test_the_schema_enums_are_the_ontology_lists():
    vocab = authoring.vocabularies(ROOT)
    assert "caf" in vocab["organisation-types"] and "role-funder" in vocab["partnership-roles"]
    assert "level-minimal" in vocab["partnership-levels"] and "measure-population" in vocab["measures"]
    schema = authoring.json_schema(ROOT)
    actor_type = schema["$defs"]["actors"]["properties"]["type"]["anyOf"][0]
    assert actor_type["enum"] == list(vocab["organisation-types"])


def test_six_cases_are_exported():
    assert len(CASES) == 6


@pytest.mark.parametrize("case_file", CASES, ids=[path.stem for path in CASES])
def test_export_then_import_gives_the_same_graph(case_file: Path, project: Path, tmp_path: Path):
    text = authoring.export_case(case_file.stem, ROOT)
    document = yaml.safe_load(text)
    jsonschema.validate(document, authoring.json_schema(ROOT))
    template = tmp_path / f"{case_file.stem}.yaml"
    template.write_text(text, encoding="utf-8")
    result = authoring.import_case(template, root=project, force=True)
    assert result.path == project / "data" / "cases" / case_file.name
    original = Graph().parse(case_file)
    imported = Graph().parse(result.path)
    assert isomorphic(original, imported)
    for section in ("actors", "schemes", "partnerships", "passages"):
        assert document[section], section


def test_a_seventh_case_imports_validates_and_is_queried(cli, tmp_path: Path):
    project = copy_project(tmp_path / "project", ("ontology", "shapes", "data", "queries"))
    env = {"PARTENARIAT_ROOT": str(project)}
    example = EXAMPLES / "encadre-7-roubaix.yaml"
    imported = cli("import", str(example), env=env)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    written = project / "data" / "cases" / "encadre-7-roubaix.ttl"
    graph = Graph().parse(written)
    assert len(graph) > 20
    validated = cli("validate", env=env)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "conforme" in validated.stdout
    built = cli("build", "--out", str(tmp_path / "build"), "--no-inference", env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    answer = cli(
        "query", "cq01-partnership-levels", "--store", str(tmp_path / "build" / "store"),
        "--format", "json", env=env,
    )
    assert answer.returncode == 0, answer.stderr
    rows = json.loads(answer.stdout)["results"]["bindings"]
    assert len(rows) == 7
    assert any(row["case"]["value"].endswith("/encadre-7") for row in rows)
    drawn = cli("network", "--format", "json", "--out", str(tmp_path / "network.json"),
                "--store", str(tmp_path / "build" / "store"), env=env)
    assert drawn.returncode == 0, drawn.stdout + drawn.stderr
    nodes = {node["id"] for node in json.loads((tmp_path / "network.json").read_text(encoding="utf-8"))["nodes"]}
    assert {PID + "training-test-roubaix", PID + "atd-quart-monde-e7"} <= nodes
    released = cli("release", "--version", "1.1.0", "--out", str(tmp_path / "release"),
                   "--store", str(tmp_path / "build" / "store"), env=env)
    assert released.returncode == 0, released.stdout + released.stderr
    quads = Dataset().parse(next((tmp_path / "release").glob("*.nq")), format="nquads")
    assert any(quads.quads((URIRef(PID + "encadre-7"), None, None, None)))
    documented = cli("docs", "--out", str(tmp_path / "docs"), "--lang", "en", env=env)
    assert documented.returncode == 0, documented.stdout + documented.stderr
    page = (tmp_path / "docs" / "en" / "cases.html").read_text(encoding="utf-8")
    assert 'id="case-7"' in page and "Un test de formation à Roubaix" in page
    exported = cli("export-case", "encadre-7", env=env)
    assert exported.returncode == 0, exported.stderr
    assert yaml.safe_load(exported.stdout)["title"] == "Un test de formation à Roubaix"


def test_overwriting_needs_force(cli, tmp_path: Path):
    project = copy_project(tmp_path / "project")
    env = {"PARTENARIAT_ROOT": str(project)}
    example = EXAMPLES / "encadre-7-roubaix.yaml"
    assert cli("import", str(example), env=env).returncode == 0
    written = project / "data" / "cases" / "encadre-7-roubaix.ttl"
    written.write_text("# edited by hand\n", encoding="utf-8")
    again = cli("import", str(example), env=env)
    assert again.returncode == 1
    assert "already exists; pass --force" in again.stderr
    assert written.read_text(encoding="utf-8") == "# edited by hand\n"
    forced = cli("import", str(example), "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(Graph().parse(written)) > 20


def test_errors_name_the_field_and_suggest_in_one_pass(cli, project: Path):
    env = {"PARTENARIAT_ROOT": str(project)}
    example = EXAMPLES / "encadre-7-errors.yaml"
    result = cli("import", str(example), env=env)
    assert result.returncode == 1
    name = str(example)
    lines = result.stderr.splitlines()
    assert f"{name}: actors[2].type: 'CAFF' is not an organisation type; did you mean 'caf'?" in lines
    assert (
        f"{name}: partnerships[0].partner: 'youth-workers-five-e7' is not defined here or in "
        "the corpus; did you mean 'youth-workers-fives-e7'?"
    ) in lines
    assert any(line.startswith(f"{name}: passages[0].exact: not found in data/source/talk-2017.txt") for line in lines)
    assert "Traceback" not in result.stderr
    assert not (project / "data" / "cases" / "encadre-7-roubaix.ttl").exists()


def test_unreadable_yaml_exits_2_with_line_and_column(cli, tmp_path: Path, project: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: encadre-7\nactors: [a\n  b: c\n", encoding="utf-8")
    result = cli("import", str(bad), env={"PARTENARIAT_ROOT": str(project)})
    assert result.returncode == 2
    assert f"{bad}:3:4: YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_case_writes_a_template_listing_the_allowed_values(cli, tmp_path: Path, project: Path):
    target = tmp_path / "case.yaml"
    result = cli("new-case", "encadre-7", "--out", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "caf, ccas" in text and "role-funder" in text and "measure-population" in text
    document = yaml.safe_load(text)
    assert document["id"] == "encadre-7"
    assert authoring.schema_messages(document, "case.yaml", ROOT) == []
    empty = cli("import", str(target), env={"PARTENARIAT_ROOT": str(project)})
    assert empty.returncode == 1
    assert f"{target}: case.title: missing" in empty.stderr
    refused = cli("new-case", "encadre-7", "--out", str(target))
    assert refused.returncode == 1


def test_export_case_of_an_unknown_case_suggests(cli):
    result = cli("export-case", "encadre-1-angoulem")
    assert result.returncode == 2
    assert "did you mean 'encadre-1-angouleme'?" in result.stderr
