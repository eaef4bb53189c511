"""The manifest passes Blender's own validate and build; the built zip holds the add-on and nothing else."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

from tools import extension_cli

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_fields():
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    assert manifest["id"] == "meshsmith" and manifest["name"] == "Meshsmith"
    assert manifest["schema_version"] == "1.0.0" and manifest["blender_version_min"] == "4.2.0"
    assert set(manifest["permissions"]) == {"network", "files", "clipboard"}
    assert all(len(reason) <= 64 for reason in manifest["permissions"].values())
    assert manifest["license"] == ["SPDX:GPL-3.0-or-later"]


def test_every_permission_the_code_uses_is_declared():
    # Blender's rules: an extension that touches the clipboard declares it (the validator does not check the code).
    import re

    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    skip = {"tests", "tools", "bench", ".venv", "out", "dist", "build"}
    code = "\n".join(path.read_text(encoding="utf-8") for path in ROOT.rglob("*.py")
                     if not (set(path.relative_to(ROOT).parts) & skip) and not path.relative_to(ROOT).parts[0].startswith("."))
    uses = {"clipboard": re.search(r"\.clipboard\b", code), "network": re.search(r"\brequests\b", code)}
    assert {name for name, found in uses.items() if found} <= set(manifest["permissions"])
    assert uses["clipboard"], "the check must see the clipboard use it guards"


def test_blender_validates_the_source_tree():
    result = extension_cli.run("validate", str(ROOT), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_blender_builds_a_zip_without_development_files(tmp_path):
    result = extension_cli.run("build", "--source-dir", str(ROOT), "--output-dir", str(tmp_path), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (archive,) = tmp_path.glob("meshsmith-*.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "providers/segmind/client.py" in names and "sandbox/segmind.py" in names
    forbidden = ("tests/", "tools/", ".venv/", ".git/", ".ci/", "requirements/", "out/", "__pycache__")
    assert not [name for name in names if name.startswith(forbidden) or "__pycache__" in name]
    validated = extension_cli.run("validate", str(archive), check=False)
    assert validated.returncode == 0, validated.stdout + validated.stderr
