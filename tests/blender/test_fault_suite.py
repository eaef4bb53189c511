"""The fault-injection suite through the real add-on: every fault, every provider, zero hangs, duplicates, losses, leaks."""

from __future__ import annotations

import bpy

from tools import fault_suite


def test_the_secret_scanner_finds_a_planted_key():
    keys = {"segmind": "seg-key-123456", "scenario": "sc-key", "scenario_secret": "sc-secret", "meshy": "msy_abcdefgh"}
    found = fault_suite.scan_for_secrets({"clean": b"nothing here", "leaky": b"header x-api-key: seg-key-123456"}, keys)
    assert found == {"clean": 0, "leaky": 1}


def test_every_fault_against_every_provider(tmp_path, capsys):
    rows, secrets = fault_suite.run_suite(bpy, out=tmp_path)
    table = fault_suite.format_table(rows, secrets)
    with capsys.disabled():
        print("\n" + table)
    agent = [row for row in rows if row.provider == "MCP AGENT"]
    assert len(rows) - len(agent) == sum(len(fault_suite.faults_for(p)) for p in fault_suite.PROVIDERS) >= 60
    assert {row.fault for row in agent} == {"leaves mid-wait", "Blender killed mid-job"}
    assert "cannot be reached" in next(row.message for row in agent if row.fault == "Blender killed mid-job")
    assert [row for row in rows if not row.correct] == []
    assert sum(row.hang for row in rows) == 0
    assert max(row.creating_posts for row in rows) == 1
    assert sum(row.lost for row in rows) == 0
    assert secrets == {".blend": 0, "job store": 0, "logs": 0, "messages": 0, "custom properties": 0}
