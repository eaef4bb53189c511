"""One version number: the manifest's, reported by the add-on and by Blender, with a CHANGELOG entry."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manifest_version() -> str:
    return tomllib.loads((ROOT / "blender_manifest.toml").read_text())["version"]


def test_the_addon_reports_the_manifest_version():
    from meshsmith.net.http import USER_AGENT
    from meshsmith.net.version import VERSION

    assert VERSION == _manifest_version()
    assert f"Meshsmith/{VERSION}" in USER_AGENT


def test_blender_reports_the_same_version():
    import subprocess
    import sys

    # Blender's own view of the version, from a separate headless Blender with the add-on enabled.
    script = (
        f"import sys; sys.path.insert(0, r'{ROOT}');"
        "from tools.blender_env import prepare_user_resources, enable_addon, MODULE_NAME;"
        "import tempfile, pathlib; prepare_user_resources(pathlib.Path(tempfile.mkdtemp()));"
        "import bpy, addon_utils; module = enable_addon();"
        "print('VERSION', '.'.join(map(str, addon_utils.module_bl_info(module)['version'])))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120).stdout
    reported = next(line.split()[1] for line in out.splitlines() if line.startswith("VERSION "))
    assert reported == _manifest_version()


def test_the_changelog_has_an_entry_for_this_version():
    assert f"## {_manifest_version()}" in (ROOT / "CHANGELOG.md").read_text()


def test_no_other_file_hard_codes_the_version():
    version = _manifest_version()
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                 if ".venv" not in p.parts and "build" not in p.parts and f'"{version}"' in p.read_text()]
    assert offenders == []
