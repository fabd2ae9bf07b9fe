"""`/metrics` of a `porter-fleet run` daemon, read by the official Prometheus client's text parser: the
exposition is valid, and it counts every HTTP attempt (429s the SDK retried away included) by method,
route and exact status, with latency by route, beside the flow-control and build gauges."""

from __future__ import annotations

import re
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from conftest import LocalServer, _binary

MANIFEST = """apiVersion: porter-fleet/v1
kind: SandboxSet
name: scraped
spec:
  replicas: 40
  template: {image: 'python:3.12-slim', command: [sleep, infinity]}
"""


def _samples(families, name):
    return [sample for family in families if family.name == name for sample in family.samples]


def test_metrics_parse_and_count_attempts_against_a_throttling_api():
    # 20 requests a second: 40 creates are throttled, so 429 attempts must show although no action fails.
    server = LocalServer("--runtime", "simulated", "--rate-limit", "20")
    directory = Path(tempfile.mkdtemp(prefix="porter-fleet-metrics-"))
    store = str(directory / "fleet.db")
    (directory / "fleet.yaml").write_text(MANIFEST)
    daemon = None
    try:
        subprocess.run([_binary(), "apply", "-f", str(directory / "fleet.yaml"), "--db", store], check=True, capture_output=True)
        daemon = subprocess.Popen(
            [_binary(), "run", "--db", store, "--api-url", server.url, "--metrics-listen", "127.0.0.1:0", "--resync", "1s"],
            stderr=subprocess.PIPE,
            text=True,
        )
        url = _metrics_url(daemon)
        families = _scrape_until(url, lambda f: _created(f) >= 40, timeout=60)
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.terminate()
            daemon.wait(timeout=15)
        server.stop()

    types = {family.name: family.type for family in families}
    assert types["porter_fleet_api_requests"] == "counter"
    assert types["porter_fleet_api_retries"] == "counter"
    assert types["porter_fleet_api_request_duration_seconds"] == "histogram"
    assert types["porter_fleet_reconcile_duration_seconds"] == "histogram"
    assert types["porter_fleet_flow_concurrency_limit"] == "gauge"
    assert types["porter_fleet_build_info"] == "gauge"
    assert types["porter_fleet_last_successful_pass_timestamp_seconds"] == "gauge"

    attempts = _samples(families, "porter_fleet_api_requests")
    codes = {sample.labels["code"] for sample in attempts if sample.labels["route"] == "/v1/sandbox/run"}
    assert "201" in codes and "429" in codes, codes
    assert all(set(sample.labels) == {"method", "route", "code"} for sample in attempts)
    latency_counts = [s for s in _samples(families, "porter_fleet_api_request_duration_seconds") if s.name.endswith("_count")]
    assert any(s.labels["route"] == "/v1/sandbox/run" and s.value >= 40 for s in latency_counts)
    assert sum(s.value for s in _samples(families, "porter_fleet_api_retries")) >= 1
    build = _samples(families, "porter_fleet_build_info")
    assert build and build[0].value == 1 and build[0].labels["version"]
    limit = _samples(families, "porter_fleet_flow_concurrency_limit")[0].value
    assert 1 <= limit <= 64
    actions = _samples(families, "porter_fleet_actions")
    assert not [s for s in actions if s.labels.get("result") == "error" and s.value > 0], actions


def _created(families) -> float:
    return sum(
        s.value
        for s in _samples(families, "porter_fleet_api_requests")
        if s.labels.get("route") == "/v1/sandbox/run" and s.labels.get("code") == "201"
    )


def _metrics_url(daemon: subprocess.Popen) -> str:
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert daemon.stderr is not None
        for line in daemon.stderr:
            match = re.search(r"metrics on (http://\S+)", line)
            if match and not found:
                found.append(match.group(1))
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(30), "the daemon never said where its metrics are"
    return found[0]


def _scrape_until(url: str, done, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            families = list(text_string_to_metric_families(response.read().decode()))
        if done(families) or time.monotonic() > deadline:
            return families
        time.sleep(0.5)
