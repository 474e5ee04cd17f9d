"""Starting servers for the tests that talk to them over HTTP: ``kg serve`` (serve, page,
security) and Debian's Virtuoso as an external SPARQL server (virtuoso)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER_PIDS: dict[str, int] = {}  # base URL -> the server's process id


@contextlib.contextmanager
def running_server(store: Path, *options: str) -> Iterator[str]:
    """``kg serve`` in its own process group on a free port; its base URL once it answers."""
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open for the server's whole life)
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--host", "127.0.0.1",
         "--port", str(port), *options],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(f"kg serve exited {process.returncode}: {log.read().decode()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/sparql", params={"query": "ASK {}"},
                             timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError("kg serve did not answer within 60 s")
            time.sleep(0.2)
        SERVER_PIDS[base] = process.pid
        yield base
        assert process.poll() is None, "the server died during the test"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the server's own process group only
            process.wait(timeout=15)
        log.close()


# -- an external SPARQL server: Debian's Virtuoso 7 ----------------------------------------------
VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # a new database's administrator
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {db}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 60
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


@contextlib.contextmanager
def running_virtuoso(folder: Path) -> Iterator[str]:
    """``virtuoso-t`` with a new database in ``folder``, its SQL and HTTP ports on free ports of
    127.0.0.1, in its own process group; its SPARQL endpoint's URL once it answers (about 5 s
    for a new database). The Graph Store is ``/sparql-graph-crud-auth`` beside it (user and
    password ``dba``)."""
    assert VIRTUOSO is not None, "virtuoso-t is not installed"
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=folder, sql_port=sql_port, http_port=http_port),
                   encoding="utf-8")
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open for the server's whole life)
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(f"virtuoso-t exited {process.returncode}: "
                                     f"{log.read().decode(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(endpoint, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError("virtuoso-t did not answer within 120 s")
            time.sleep(0.2)
        yield endpoint
        assert process.poll() is None, "Virtuoso died during the test"
    finally:
        process.send_signal(signal.SIGTERM)  # it checkpoints and stops
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the server's own process group only
            process.wait(timeout=15)
        log.close()
