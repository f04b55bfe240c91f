"""Chunked gzip N-Quads exports: chunk sizes, manifest, public profile, atomic replacement."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from partenariat import export, profile

ROOT = Path(__file__).resolve().parents[1]


def read_chunks(folder: Path) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for path in sorted(folder.glob("*.nq.gz")):
        with gzip.open(path, "rb") as stream:
            quads.extend(ox.parse(stream, ox.RdfFormat.N_QUADS))
    return quads


def test_chunks_hold_the_public_profile_in_order(kg, tmp_path: Path):
    out = tmp_path / "chunks"
    report = export.export_chunks(kg.store, out, chunk_quads=2500)
    public = list(profile.store_public_quads(kg.store))
    assert [c.quads for c in report.chunks] == [2500] * (len(public) // 2500) + [len(public) % 2500]
    assert read_chunks(out) == public
    manifest = json.loads((out / export.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["quads"] == len(public) and manifest["public"] is True
    for chunk in manifest["chunks"]:
        data = (out / chunk["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == chunk["sha256"] and len(data) == chunk["bytes"]


def test_the_full_export_holds_every_quad(kg, tmp_path: Path):
    report = export.export_chunks(kg.store, tmp_path / "full", public=False)
    assert len(report.chunks) == 1 and report.quads == len(kg.store)
    assert set(read_chunks(tmp_path / "full")) == set(kg.store)


def test_a_failed_export_leaves_the_previous_one_whole(kg, tmp_path: Path, monkeypatch):
    out = tmp_path / "chunks"
    export.export_chunks(kg.store, out, chunk_quads=4000)
    before = sorted(p.name for p in out.iterdir())
    calls = []

    def failing(path: Path, quads: list, level: int):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path, quads, level)

    real = export._write_chunk
    monkeypatch.setattr(export, "_write_chunk", failing)
    with pytest.raises(export.ExportError, match="No space left on device"):
        export.export_chunks(kg.store, out, chunk_quads=1000)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["chunks"]


def test_the_bad_chunk_size_is_refused(kg, tmp_path: Path):
    with pytest.raises(export.ExportError, match="positive"):
        export.export_chunks(kg.store, tmp_path / "x", chunk_quads=0)
    assert not (tmp_path / "x").exists()


def test_oxigraph_bulk_loads_the_chunks(kg, tmp_path: Path):
    oxigraph = Path(sys.executable).parent / "oxigraph"
    if not oxigraph.exists():
        pytest.skip("the oxigraph command (test extra) is not installed")
    export.export_chunks(kg.store, tmp_path / "chunks", chunk_quads=3000)
    files = sorted(str(p) for p in (tmp_path / "chunks").glob("*.nq.gz"))
    subprocess.run([str(oxigraph), "load", "--location", str(tmp_path / "db"), "--file", *files],
                   check=True, capture_output=True, timeout=120)
    loaded = set(ox.Store(str(tmp_path / "db")))
    public = set(profile.store_public_quads(kg.store))

    def named(quads: set[ox.Quad]) -> set[ox.Quad]:  # the loader renames blank nodes
        return {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    assert len(loaded) == len(public) and named(loaded) == named(public)


def test_the_command_line_export(built, tmp_path: Path):
    out_dir, _report = built
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "partenariat.cli", "export", "--out", str(tmp_path / "c"),
         "--chunk-size", "5000", "--store", str(out_dir / "store")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "(public profile) in 2 chunk(s)" in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "partenariat.cli", "export", "--out", str(tmp_path / "d"),
         "--store", str(tmp_path / "nowhere")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert bad.returncode != 0 and "no store here" in bad.stderr and "Traceback" not in bad.stderr
