"""Start and stop real SPARQL servers (Oxigraph server, Virtuoso) for tests and benchmarks.

Each server runs from a temporary folder on a free port of 127.0.0.1, is polled with a
trivial ASK until it answers, and is stopped by its PID (terminate, then kill after a
timeout); its folder is removed afterwards. Not a test module: conftest.py and
bench/bench_servers.py import it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from partenariat.remote import Endpoint

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # the account of a new Virtuoso database
RESULT_SET_MAX_ROWS = 1_000_000


class ServerUnavailable(RuntimeError):
    """The server's program is not installed here; the message says which and how to get it."""


@dataclass
class RunningServer:
    """A server process started by this module, with its endpoint, folder and log file."""

    name: str
    endpoint: Endpoint
    process: subprocess.Popen
    folder: Path
    log: Path
    base_url: str
    extra: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's output, for error messages."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the process by its PID (SIGTERM, then SIGKILL after timeout) and remove its folder."""
        stop_process(self.process, timeout)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def stop_process(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Terminate one process we started, by PID; kill it if it does not exit in time."""
    if process.poll() is not None:
        return
    try:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    """The `oxigraph` command of the `oxigraph` PyPI package: next to this Python, or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    """Virtuoso's server program (Debian package virtuoso-opensource-7), if installed."""
    return shutil.which("virtuoso-t")


def wait_ready(server: RunningServer, ask_url: str, timeout: float) -> None:
    """Poll `ASK {}` until the server answers 200; fail with its log if it exits or times out."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with status {server.process.returncode} before it was "
                f"ready:\n{server.log_tail()}"
            )
        try:
            response = httpx.get(ask_url, params={"query": "ASK {}"}, timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as error:
            last = type(error).__name__
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.name} not ready after {timeout:.0f} s ({last}):\n{server.log_tail()}")


def _spawn(command: list[str], folder: Path, log: Path) -> subprocess.Popen:
    """Start a server process in folder, its output appended to log, in its own session."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C of the tests does not reach it; we stop it
        )


def start_oxigraph(
    union_default_graph: bool = True, timeout: float = 30.0, folder: Path | None = None
) -> RunningServer:
    """Start `oxigraph serve` on a free port with its database in a new temporary folder.

    With union_default_graph (the default) the default graph of a query is the union of
    the named graphs, as in the embedded store.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise ServerUnavailable("oxigraph: not installed (pip install oxigraph)")
    folder = Path(tempfile.mkdtemp(prefix="oxigraph-")) if folder is None else folder
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    log = folder / "server.log"
    process = _spawn(command, folder, log)
    server = RunningServer("oxigraph", Endpoint.oxigraph(base), process, folder, log, base)
    wait_ready(server, f"{base}/query", timeout)
    return server


_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_SETTING = re.compile(r"^\s*(?P<key>[A-Za-z_][\w]*)\s*=")


def rewrite_ini(text: str, changes: dict[str, dict[str, str]]) -> str:
    """An ini text with the given settings replaced (or added at the end of their section).

    Comments and the other lines stay as they were.

    >>> print(rewrite_ini("[A]\\nx = 1 ; note\\ny = 2\\n[B]\\n", {"A": {"x": "3"}, "B": {"z": "4"}}))
    [A]
    x = 3
    y = 2
    [B]
    z = 4
    <BLANKLINE>
    """
    pending = {section: dict(values) for section, values in changes.items()}
    out: list[str] = []
    section: str | None = None

    def flush(name: str | None) -> None:
        for key, value in pending.pop(name, {}).items() if name is not None else ():
            out.append(f"{key} = {value}")

    for line in text.splitlines():
        header = _SECTION.match(line)
        if header:
            flush(section)
            section = header.group("name").strip()
            out.append(line)
            continue
        setting = _SETTING.match(line)
        if setting and section in pending and setting.group("key") in pending[section]:
            key = setting.group("key")
            value = pending[section].pop(key)
            out.append(f"{key} = {value}")
            continue
        if setting and section in changes and setting.group("key") in changes[section]:
            continue  # a second occurrence of a setting already rewritten
        out.append(line)
    flush(section)
    for name, values in pending.items():
        out.append(f"[{name}]")
        out.extend(f"{key} = {value}" for key, value in values.items())
    return "\n".join(out) + "\n"


def virtuoso_ini(
    template: str,
    folder: Path,
    sql_port: int,
    http_port: int,
    settings: dict[str, dict[str, str]] | None = None,
) -> str:
    """Debian's virtuoso.ini rewritten for a private server: files in folder, ports on
    127.0.0.1, results up to a million rows; settings override any of these."""
    db = folder / "db"
    changes: dict[str, dict[str, str]] = {
        "Database": {
            "DatabaseFile": str(db / "virtuoso.db"),
            "ErrorLogFile": str(db / "virtuoso.log"),
            "LockFile": str(db / "virtuoso.lck"),
            "TransactionFile": str(db / "virtuoso.trx"),
            "xa_persistent_file": str(db / "virtuoso.pxa"),
        },
        "TempDatabase": {
            "DatabaseFile": str(db / "virtuoso-temp.db"),
            "TransactionFile": str(db / "virtuoso-temp.trx"),
        },
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "DirsAllowed": f"., {folder}, /usr/share/virtuoso-opensource-7/vad",
            "NumberOfBuffers": "20000",
            "MaxDirtyBuffers": "15000",
            "CheckpointInterval": "60",
        },
        "HTTPServer": {
            "ServerPort": f"127.0.0.1:{http_port}",
            "MaxClientConnections": "10",
            "ServerThreads": "10",
        },
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
        "SPARQL": {
            "ResultSetMaxRows": str(RESULT_SET_MAX_ROWS),
            "MaxQueryCostEstimationTime": "400",
            "MaxQueryExecutionTime": "120",
        },
    }
    for section, values in (settings or {}).items():
        changes.setdefault(section, {}).update(values)
    return rewrite_ini(template, changes)


def start_virtuoso(
    timeout: float = 90.0,
    folder: Path | None = None,
    settings: dict[str, dict[str, str]] | None = None,
) -> RunningServer:
    """Start `virtuoso-t +foreground` on free ports with a new database in a temporary folder.

    A new database has the account dba/dba: the endpoint carries it for the digest-auth
    update and Graph Store URLs. settings override virtuoso.ini, by section and key.
    """
    binary = virtuoso_binary()
    if binary is None or not VIRTUOSO_INI.is_file():
        raise ServerUnavailable(
            "virtuoso: not installed (apt-get install -y --no-install-recommends "
            "virtuoso-opensource-7)"
        )
    folder = Path(tempfile.mkdtemp(prefix="virtuoso-")) if folder is None else folder
    (folder / "db").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        virtuoso_ini(
            VIRTUOSO_INI.read_text(encoding="utf-8"), folder, sql_port, http_port, settings
        ),
        encoding="utf-8",
    )
    base = f"http://127.0.0.1:{http_port}"
    log = folder / "server.log"
    process = _spawn([binary, "+foreground", "+configfile", str(ini)], folder, log)
    endpoint = Endpoint.virtuoso(base, VIRTUOSO_USER, VIRTUOSO_PASSWORD)
    server = RunningServer(
        "virtuoso", endpoint, process, folder, log, base, {"sql_port": str(sql_port)}
    )
    wait_ready(server, f"{base}/sparql", timeout)
    return server


# -- a proxy that breaks chosen requests, for tests of failures ---------------------------

Rule = Callable[[str, str, int], "str | int | None"]
"""(method, path, how many such requests so far, this one included) -> None to forward,
"drop" to close the connection without an answer, "swallow" to answer 204 without
forwarding, or an HTTP status to answer with."""

_HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "content-encoding",
                "keep-alive"}


class FaultyProxy:
    """An HTTP proxy on a free 127.0.0.1 port in front of a real server, which forwards
    every request except those its rule breaks. Use as a context manager."""

    def __init__(self, target_base: str, rule: Rule) -> None:
        self.target = target_base.rstrip("/")
        self.rule = rule
        self.seen: Counter[tuple[str, str]] = Counter()
        self.broken: list[tuple[str, str, str | int]] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60.0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                with proxy._lock:
                    proxy.seen[(self.command, path)] += 1
                    action = proxy.rule(self.command, path, proxy.seen[(self.command, path)])
                    if action is not None:
                        proxy.broken.append((self.command, path, action))
                if action == "drop":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if action == "swallow" or isinstance(action, int):
                    status = 204 if action == "swallow" else int(action)
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                answer = proxy._client.request(
                    self.command, proxy.target + self.path, content=body, headers=headers
                )
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in _HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()
