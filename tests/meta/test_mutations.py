"""Proof that the tests guard what they claim: each mutation below, applied to a copy of the add-on, must make the
named tests fail. A mutation that the suite lets through is a test that asserts less than its name says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    before: str
    after: str
    tests: tuple[str, ...]


MUTATIONS = [
    Mutation("a panel drawing a setting the scene lacks", "panels/settings_drawer.py",
             "            row.prop(group, param.name)", '            row.prop(group, param.name + "s")',
             ("tests/blender/test_register_and_panels.py::test_generate_panel_ready",)),
    Mutation("a misspelt operator id in a panel", "panels/sidebar.py", '"meshsmith.cancel_job"', '"meshsmith.cancel_jobb"',
             ("tests/blender/test_register_and_panels.py::test_jobs_panel_draws_every_state",)),
    Mutation("a bpy-free module importing the Blender side", "providers/meshy/client.py",
             "from ...net.sse import", "from ...host import runtime  # noqa: F401\nfrom ...net.sse import",
             ("tests/unit/test_architecture.py",)),
    Mutation("job locks that never refuse", "jobs/ownership.py", "            if not _try_lock(handle):",
             "            if False:", ("tests/providers/test_two_sessions.py",)),
    Mutation("a model check that lets paths through", "net/gltf_guard.py",
             'if uri[:5].lower() == "data:":\n            continue', 'if True:\n            continue',
             ("tests/unit/test_gltf_guard.py",)),
    Mutation("an unbounded SSE line", "net/sse.py", "length > self._max_line or", "False and",
             ("tests/providers/test_hostile_answers.py::test_an_sse_line_without_end_is_refused_in_linear_time",)),
]


def _copy_of_the_addon(target: Path) -> Path:
    # The working tree as it is, new files not yet committed included (but nothing git ignores: no venvs, no builds).
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    return target


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_the_suite_catches(mutation, tmp_path):
    copy = _copy_of_the_addon(tmp_path / "meshsmith")
    target = copy / mutation.path
    text = target.read_text()
    assert mutation.before in text, f"the mutation no longer applies to {mutation.path}: update it"
    target.write_text(text.replace(mutation.before, mutation.after))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutation.tests],
                            cwd=copy, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, f"{mutation.name} survived {mutation.tests}:\n{result.stdout[-3000:]}"
