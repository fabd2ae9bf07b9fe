"""`porter-fleet local serve` as a process: SIGTERM stops it cleanly, live process sandboxes are stopped
and recorded, and state survives the restart."""

from __future__ import annotations

import os
import signal
import time

from porter_sandbox import Porter

from conftest import LocalServer, wait_for


MARKER = "613"  # `sleep 613`: a command line no other test runs


def _marked_processes() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if handle.read().split(b"\0")[:2] == [b"sleep", MARKER.encode()]:
                    found.append(int(entry))
        except OSError:
            continue
    return found


def test_sigterm_stops_sandboxes_and_restart_keeps_state():
    first = LocalServer("--runtime", "process", "--data-keep")
    data = first.data
    try:
        with Porter(base_url=first.url) as client:
            volume = client.volumes.create(name="kept")
            volume.write_text("/note.txt", "survives")
            sandbox = client.sandboxes.create("debian:12", name="sleeper", command=["sleep", MARKER])
            wait_for(sandbox, lambda s: s.phase == "running")
            for _ in range(200):
                if _marked_processes():
                    break
                time.sleep(0.01)
            assert _marked_processes(), "the sandbox's process runs on the host"
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(timeout=20) == 0
        for _ in range(200):
            if not _marked_processes():
                break
            time.sleep(0.01)
        assert not _marked_processes(), "SIGTERM stops the sandboxes' processes"
    finally:
        if first.process.poll() is None:
            first.process.kill()

    second = LocalServer("--runtime", "process", "--data", data)
    try:
        with Porter(base_url=second.url) as client:
            status = client.sandboxes.get("sleeper").refresh()
            assert status.phase == "failed" and status.termination_reason == "backend_lost"
            assert client.volumes.get("kept").read_text("/note.txt") == "survives"
    finally:
        second.keep = False
        second.stop()
