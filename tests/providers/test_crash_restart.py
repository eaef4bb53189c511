"""Kill the process at each stage of a job; a new engine built from the journal finishes it with one creating POST."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net.http import HttpClient
from meshsmith.providers.scenario.client import ScenarioProvider
from meshsmith.providers.segmind.client import SegmindProvider
from meshsmith.sandbox import scenario as sim_scenario
from meshsmith.sandbox import segmind as sim_segmind

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["PENDING", "SUBMITTING", "QUEUED", "RUNNING", "DOWNLOADING", "READY"]


def _provider(name: str, url: str):
    if name == "SCENARIO":
        return ScenarioProvider(HttpClient(), sim_scenario.VALID_KEY, sim_scenario.VALID_SECRET, base_url=url, poll_interval=0.05)
    return SegmindProvider(HttpClient(), sim_segmind.VALID_KEY, base_url=url, poll_interval=0.05)


def _run_child_until(sandbox, provider_name, png_file, tmp_path, stage: str) -> str:
    """Start the child, kill -9 it when it reports ``stage`` (or a later one: updates may coalesce); return the job id."""
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_child.py")), str(ROOT), str(tmp_path / "journal"),
         provider_name, sandbox.url, str(png_file), str(tmp_path / "out")],
        stdout=subprocess.PIPE, text=True)
    job_id = ""
    deadline = time.monotonic() + 30
    try:
        for line in child.stdout:
            if line.startswith("JOB "):
                job_id = line.split()[1]
            parts = line.split()
            if parts[:1] == ["STATE"] and parts[1] in ORDER:
                reached = ORDER.index(parts[1]) >= ORDER.index(stage) and len(parts) > 2  # a remote id is known
                if reached or parts[1] == "READY":
                    break
            if parts[:1] == ["STATE"] and parts[1] not in ORDER:
                raise AssertionError(f"the child's job ended early: {line}")
            if time.monotonic() > deadline:
                break
    finally:
        child.kill()
        child.wait(10)
    assert job_id
    return job_id


@pytest.mark.parametrize("provider_name", ["SEGMIND", "SCENARIO"])
@pytest.mark.parametrize("stage", ["SUBMITTING", "QUEUED", "RUNNING", "DOWNLOADING", "READY"])
def test_killed_at_each_stage_the_job_finishes_after_restart(sandbox, png_file, tmp_path, provider_name, stage):
    sim = sandbox.scenario if provider_name == "SCENARIO" else sandbox.segmind
    if provider_name == "SEGMIND":
        sim.config.queued_polls, sim.config.processing_polls = 3, 3
    if stage == "DOWNLOADING":
        # Hold the result download long enough to be killed in the middle of it.
        sandbox.arm("stall", path_contains="/cdn/" if provider_name == "SCENARIO" else "/meshes/", stall_s=3.0)
    job_id = _run_child_until(sandbox, provider_name, png_file, tmp_path, stage)
    journal = JobStore(tmp_path / "journal")
    before = journal.load()[job_id]
    assert before.remote_id, "the remote id must be journaled before anything else can go wrong"
    if stage == "DOWNLOADING":  # what a kill in the middle of the body leaves (the kill may also come before it)
        Path(before.output_dir).mkdir(parents=True, exist_ok=True)
        (Path(before.output_dir) / ".model.glb.0123456789ab.part").write_bytes(b"glTF half")

    engine = JobEngine(journal)
    engine.resume(lambda name: _provider(name, sandbox.url))
    deadline = time.monotonic() + 20
    while engine.get(job_id).state is not JobState.READY and time.monotonic() < deadline:
        engine.wait_for_updates(0.1)
        engine.drain()
    record = engine.get(job_id)
    assert record.state is JobState.READY, record
    assert Path(record.result_paths["MODEL"]).stat().st_size > 0
    assert not list(Path(record.output_dir).glob("*.part"))
    assert sim.creating_posts == 1
    engine.shutdown()
