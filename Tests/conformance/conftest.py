"""Fixtures for the conformance suite: a real `porter-fleet local serve` process on 127.0.0.1 and the
official Python SDK (`porter-sandbox`) pointed at it, unchanged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> str:
    explicit = os.environ.get("PORTER_FLEET_BIN")
    if explicit:
        return explicit
    return str(ROOT / ".build" / "debug" / "porter-fleet")


class LocalServer:
    """A `porter-fleet local serve` child process; `url` is where it listens."""

    def __init__(self, *extra: str) -> None:
        """Starts a server; `--data DIR` reuses a data directory, `--data-keep` keeps a new one on stop."""
        arguments = list(extra)
        self.keep = "--data-keep" in arguments or "--data" in arguments
        if "--data-keep" in arguments:
            arguments.remove("--data-keep")
        if "--data" in arguments:
            self.data = arguments[arguments.index("--data") + 1]
        else:
            self.data = tempfile.mkdtemp(prefix="porter-fleet-conformance-")
            arguments += ["--data", self.data]
        self.process = subprocess.Popen(
            [_binary(), "local", "serve", "--listen", "127.0.0.1:0", "--grace-period", "200ms", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        self.url = ""
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
                break
        if not self.url:
            self.stop()
            raise RuntimeError("porter-fleet local serve did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if not self.keep:
            shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    local = LocalServer("--runtime", "process")
    yield local
    local.stop()


@pytest.fixture(scope="session")
def secured_server():
    local = LocalServer("--runtime", "simulated", "--token", "conformance-token")
    yield local
    local.stop()


@pytest.fixture()
def porter(server, monkeypatch):
    from porter_sandbox import Porter

    for name in ("PORTER_CLUSTER_ID", "KUBERNETES_SERVICE_HOST", "PORTER_SANDBOX_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTER_SANDBOX_BASE_URL", server.url)
    client = Porter()
    yield client
    client.close()


@pytest.fixture()
def unique():
    """A DNS-label name no other test uses (sandbox names can never be reused)."""
    counter = {"n": 0}

    def make(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}-{os.getpid()}-{int(time.time() * 1000) % 10_000_000}-{counter['n']}"

    return make


def wait_for(sandbox, predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        status = sandbox.refresh()
        if predicate(status):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"sandbox {status.name} stayed {status.phase}")
        time.sleep(0.02)
