"""Starting ``kg serve`` for the tests that talk to it over HTTP (serve, page, security)."""

from __future__ import annotations

import contextlib
import os
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
