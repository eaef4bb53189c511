"""Adding a provider is one folder, one simulator and one registry line: the example provider defined only under
tests/ (tests/example_provider: client, settings, simulator, strings; mounted by tests/example_mount.py) is picked
up by the preferences, the scene settings, the sidebar's settings drawer, the menus, the translations and the CLI
with no edit anywhere else. The generic contract suite runs over it in the bpy-free tests (tests/conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_provider_defined_under_tests_is_picked_up_everywhere(tmp_path, png_file):
    images = tmp_path / "images"
    images.mkdir()
    for name in ("mug", "vase"):
        (images / f"{name}.png").write_bytes(png_file.read_bytes())
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("example_child.py")), str(ROOT),
                             str(tmp_path / "user"), str(images), str(out)], capture_output=True, text=True, timeout=300)
    line = next((line for line in result.stdout.splitlines() if line.startswith("REPORT ")), None)
    assert line is not None, result.stdout[-2000:] + result.stderr[-4000:]
    report = json.loads(line[len("REPORT "):])
    assert report["preference"] and report["preference_drawn"], report
    assert report["scene_settings"] == {"detail_steps": 12, "smooth": True}
    assert report["settings_drawn"] == ["detail_steps", "smooth"]
    assert report["generate_menu"] and report["cli_choices"]
    assert report["translation"] == "细节步数"
    assert report["cli_exit"] == 0, result.stdout[-3000:]
    assert report["created"] == 2 and report["sent_steps"] == [33, 33]
    assert sorted(path.name for path in out.glob("*.glb")) == ["mug.glb", "vase.glb"]
