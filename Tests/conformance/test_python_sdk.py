"""The official Python SDK (porter-sandbox 0.1.68), unchanged, against porter-fleet's local Sandbox API:
every ergonomic method of the SDK, its low-level client, and its errors."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from porter_sandbox import (
    AsyncPorter,
    ExecRequest,
    AuthenticationError,
    NotFoundError,
    Porter,
    SandboxError,
    SandboxNetworkingSpec,
    SandboxEgressSpec,
    SandboxResourcesSpec,
    SandboxSpec,
    VolumeObjectSpec,
)
from porter_sandbox.enums import SandboxesPhase, SandboxesSource, SandboxMetric

from conftest import wait_for


def test_health_and_readiness(porter):
    assert porter.healthz.health_check().status == "ok"
    ready = porter.readyz.readiness_check()
    assert ready.status.startswith("ready")
    assert ready.active_sandboxes >= 0


def test_sandbox_handle_lifecycle(porter, unique):
    name = unique("py")
    sandbox = porter.sandboxes.create(
        "python:3.12-slim",
        name=name,
        tags={"suite": "conformance", "k": "a=b"},
        command=["sh", "-c"],
        args=["echo up; echo warn >&2; exec sleep 600"],
        env={"GREETING": "hi"},
        networking=[SandboxNetworkingSpec(port=8080, internal=True)],
        egress=SandboxEgressSpec(allowed_destinations=[]),
        resources=SandboxResourcesSpec(cpu="500m", memory="256Mi"),
        ttl_seconds=600,
    )
    assert sandbox.id
    assert sandbox.phase is None and sandbox.tags is None
    status = wait_for(sandbox, lambda s: s.phase == "running")
    assert sandbox.phase == "running"
    assert sandbox.tags == {"suite": "conformance", "k": "a=b"}
    assert status.name == name and status.image == "python:3.12-slim"
    assert isinstance(status.created_at, str) or isinstance(status.created_at, datetime)

    result = sandbox.exec(["sh", "-c", "echo $GREETING; exit 4"])
    assert result.stdout == "hi\n" and result.exit_code == 4 and result.exec_id

    got = porter.sandboxes.get(name)
    assert got.id == sandbox.id and got.phase == "running"
    listed = porter.sandboxes.list(tags={"suite": "conformance"}, phase=[SandboxesPhase.RUNNING])
    assert sandbox.id in [s.id for s in listed]
    listed_plain = porter.sandboxes.list(tags={"k": "a=b"}, phase=["running"], search=name[:6])
    assert [s.id for s in listed_plain] == [sandbox.id]

    # The workload's own output arrives asynchronously: give a busy machine a few seconds.
    deadline = time.monotonic() + 10
    lines = sandbox.logs(limit=100, since="1h")
    while not {"up", "warn"} <= {line.line for line in lines} and time.monotonic() < deadline:
        time.sleep(0.1)
        lines = sandbox.logs(limit=100, since="1h")
    assert any(line.line == "up" and line.level == "info" and line.exec_id == "" for line in lines)
    assert any(line.line == "warn" and line.level == "error" for line in lines)
    assert any(line.line == "hi" and line.exec_id == result.exec_id for line in lines)

    sandbox.terminate()
    final = sandbox.refresh()
    assert final.phase == "terminated" and final.termination_reason == "sdk"
    with pytest.raises(SandboxError) as conflict:
        sandbox.exec(["true"])
    assert conflict.value.status_code == 409
    with pytest.raises(SandboxError) as reused:
        porter.sandboxes.create("python:3.12-slim", name=name)
    assert reused.value.status_code == 409


def test_low_level_client(porter, unique):
    raw = porter.raw.sandboxes
    name = unique("raw")
    created = raw.create_sandbox(body=SandboxSpec(image="busybox", name=name, command=["sleep", "600"]))
    assert created.name == name
    sandbox = porter.sandboxes.get(name)
    wait_for(sandbox, lambda s: s.phase == "running")
    page = raw.list_sandboxes(include_filter_values=True, phase=[SandboxesPhase.RUNNING], page=1)
    assert page.pagination.current_page == 1
    assert page.filter_values is not None and "busybox" in page.filter_values.images
    counts = raw.sandbox_counts(search=name)
    assert sum(point.count for point in counts.points) == 1 and counts.granularity_ms > 0
    assert raw.lookup_sandbox(name=name).id == sandbox.id
    assert raw.get_sandbox(id=sandbox.id).phase == "running"
    summary = raw.get_sandbox_metrics_summary(id=sandbox.id, since="1h")
    assert summary.has_data is False
    metrics = raw.get_sandbox_metrics(
        id=sandbox.id, metric=SandboxMetric.CPU_USAGE, start_time_utc="2026-01-01T00:00:00Z", end_time_utc="2026-01-01T01:00:00Z"
    )
    assert len(metrics.results) == 1
    exec_result = raw.exec_sandbox(id=sandbox.id, body=ExecRequest(command=["echo", "raw"]), timeout=30)
    assert exec_result.stdout == "raw\n"
    raw.delete_sandbox(id=sandbox.id, source=SandboxesSource.CLI)
    assert raw.get_sandbox(id=sandbox.id).termination_reason == "cli"


def test_errors(porter):
    with pytest.raises(NotFoundError):
        porter.sandboxes.get("no-such-sandbox")
    with pytest.raises(NotFoundError):
        porter.volumes.get("no-such-volume")
    with pytest.raises(SandboxError) as bad_name:
        porter.sandboxes.create("busybox", name="Not_A_Label")
    assert bad_name.value.status_code == 400 and "DNS label" in str(bad_name.value)
    with pytest.raises(SandboxError) as no_image:
        porter.sandboxes.create("")
    assert no_image.value.status_code == 400


def test_authentication(secured_server, monkeypatch):
    monkeypatch.delenv("PORTER_CLUSTER_ID", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with Porter(base_url=secured_server.url) as anonymous:
        with pytest.raises(AuthenticationError):
            anonymous.sandboxes.list()
    with Porter(base_url=secured_server.url, api_key="conformance-token") as client:
        assert isinstance(client.sandboxes.list(), list)


def test_snapshots_are_documented_as_unsupported(porter, unique):
    from porter_sandbox import SnapshotSpec

    sandbox = porter.sandboxes.create("busybox", name=unique("snap"), command=["sleep", "600"])
    with pytest.raises(SandboxError) as unsupported:
        porter.snapshots.create(sandbox.id, SnapshotSpec())
    assert unsupported.value.status_code == 501
    assert porter.snapshots.list().snapshots == []
    with pytest.raises(NotFoundError):
        porter.snapshots.get("nope")
    with pytest.raises(NotFoundError):
        porter.snapshots.delete("nope")
    sandbox.terminate()


def test_volume_handles_and_files(porter, unique, tmp_path):
    name = unique("vol")
    volume = porter.volumes.create(name=name)
    assert volume.name == name and volume.type == "disk" and volume.phase in ("pending", "ready")
    assert volume.path.startswith("sandbox-vol-") and volume.attached_to == []
    assert isinstance(volume.created_at, datetime)
    for _ in range(100):
        if volume.refresh().phase == "ready":
            break
        time.sleep(0.01)
    assert volume.phase == "ready"

    volume.write_text("/docs/readme.txt", "hello volume")
    volume.write_file("data/blob.bin", bytes(range(256)) * 100)
    big = tmp_path / "upload.bin"
    big.write_bytes(b"x" * 300_000)
    with open(big, "rb") as handle:
        volume.write_file("/uploads/big.bin", handle)
    volume.write_file("/empty.txt", b"")

    assert volume.read_text("docs/readme.txt") == "hello volume"
    assert volume.read_file("/data/blob.bin", offset=10, length=5) == bytes(range(10, 15))
    assert volume.read_file("/data/blob.bin", offset=25_590) == bytes(range(246, 256))
    assert volume.read_file("/empty.txt") == b""
    assert b"".join(volume.stream("/uploads/big.bin", chunk_size=65_536)) == b"x" * 300_000
    assert list(volume.stream("/empty.txt")) in ([b""], [])

    top = volume.listdir("/")
    assert [entry.name for entry in top] == ["data", "docs", "uploads", "empty.txt"]
    assert top[0].is_directory and top[3].is_file and top[3].path == "/empty.txt"
    walked = sorted(entry.path for entry in volume.iterdir("/"))
    assert walked == ["/data", "/data/blob.bin", "/docs", "/docs/readme.txt", "/empty.txt", "/uploads", "/uploads/big.bin"]
    found = volume.search("README")
    assert [entry.name for entry in found] == ["readme.txt"]

    volume.move_file("/docs/readme.txt", "/docs/renamed.txt")
    assert volume.read_text("/docs/renamed.txt") == "hello volume"
    with pytest.raises(SandboxError) as occupied:
        volume.move_file("/docs/renamed.txt", "/empty.txt")
    assert occupied.value.status_code == 409
    with pytest.raises(NotFoundError):
        volume.read_file("/docs/readme.txt")

    sandbox = porter.sandboxes.create("busybox", name=unique("mount"), command=["sleep", "600"], volume_mounts={"/mnt/v": volume.id})
    wait_for(sandbox, lambda s: s.phase == "running")
    assert porter.volumes.get(name).attached_to == [sandbox.id]
    with pytest.raises(SandboxError) as attached:
        porter.volumes.delete(name)
    assert attached.value.status_code == 409
    sandbox.terminate()
    assert name in [v.name for v in porter.volumes.list()]
    volume.delete()
    with pytest.raises(NotFoundError):
        porter.volumes.get(name)


def test_object_volume(porter, unique):
    name = unique("obj")
    volume = porter.volumes.create(name=name, type="object", object=VolumeObjectSpec(bucket="bucket-1", prefix="p"))
    assert volume.type == "object" and volume.object.bucket == "bucket-1"
    assert volume.refresh().object.prefix == "p"
    porter.volumes.delete(name)


def test_async_client_with_chunked_upload(server, unique, tmp_path):
    async def scenario():
        async with AsyncPorter(base_url=server.url) as client:
            sandbox = await client.sandboxes.create("busybox", name=unique("async"), command=["sleep", "600"])
            for _ in range(500):
                status = await sandbox.refresh()
                if status.phase == "running":
                    break
                await asyncio.sleep(0.02)
            result = await sandbox.exec(["echo", "async"])
            assert result.stdout == "async\n"
            volume = await client.volumes.create(name=unique("avol"))
            payload = tmp_path / "chunked.bin"
            payload.write_bytes(b"0123456789" * 50_000)
            with open(payload, "rb") as handle:
                await volume.write_file("/chunked.bin", handle)
            assert await volume.read_file("/chunked.bin", offset=5, length=10) == b"5678901234"
            assert [entry.name async for entry in volume.iterdir("/")] == ["chunked.bin"]
            await sandbox.terminate()
            listed = await client.sandboxes.list(phase=[SandboxesPhase.TERMINATED], search=sandbox_name_prefix(status.name))
            assert sandbox.id in [s.id for s in listed]
            await volume.delete()

    asyncio.run(scenario())


def sandbox_name_prefix(name: str) -> str:
    return name[: max(1, len(name) - 1)]
