"""Build the extension: one zip per platform with Blender's own builder, pydantic bundled for Python 3.11 and 3.13,
plus a static extension repository (index.json, index.html) a studio can host.

    python3.11 tools/dev.py build            # writes dist/: the zips, index.json, index.html

Steps: download the pinned wheels (requirements/bundle.txt) for every platform and Python version
from the package index (cached in build/wheels); copy the add-on's sources to build/src with a
manifest that lists those wheels and platforms; run ``blender_ext.py build --split-platforms``;
validate every zip; ``blender_ext.py server-generate --html``. Nothing here is committed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import extension_cli  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
BUNDLE = ROOT / "requirements" / "bundle.txt"
PYTHONS = ("3.11", "3.13")
"""Blender 4.2–5.0 run Python 3.11; 5.1 and later run 3.13."""
PLATFORMS = {
    "windows-x64": ["win_amd64"],
    "macos-arm64": ["macosx_11_0_arm64"],
    "macos-x64": ["macosx_10_12_x86_64"],  # Blender 4.2 and 4.5 only: 5.0 dropped Intel Macs
    "linux-x64": ["manylinux_2_17_x86_64"],
}
COMPILED = {"pydantic-core"}
_SKIP = {".git", ".venv", "build", "dist", "out", "__pycache__", ".pytest_cache", ".ruff_cache", "wheels"}


def pinned() -> list[tuple[str, str]]:
    pins = []
    for line in BUNDLE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins.append((name.strip(), version.strip()))
    return pins


def download_wheels() -> list[Path]:
    """Every bundled wheel for every platform and Python version (from the cache when already there)."""
    target = BUILD / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    for name, version in pinned():
        combos = [(py, plat) for py in PYTHONS for tags in PLATFORMS.values() for plat in tags] if name in COMPILED else [("3.11", None)]
        for python, platform in combos:
            command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                       "--only-binary=:all:", "--implementation", "cp", "--python-version", python, "-d", str(target),
                       f"{name}=={version}"]
            if platform:
                command += ["--platform", platform]
            subprocess.run(command, check=True)
    return sorted(target.glob("*.whl"))


def stage_sources(wheels: list[Path], staging: Path) -> Path:
    """A copy of the add-on with the wheels in ./wheels and a manifest that lists them and the platforms."""
    source = staging / "meshsmith"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT, source, ignore=lambda _d, names: [n for n in names if n in _SKIP])
    (source / "wheels").mkdir()
    for wheel in wheels:
        shutil.copy2(wheel, source / "wheels" / wheel.name)
    manifest = (source / "blender_manifest.toml").read_text()
    listing = ",\n".join(f'  "./wheels/{wheel.name}"' for wheel in wheels)
    platforms = ", ".join(f'"{p}"' for p in PLATFORMS)
    block = f"platforms = [{platforms}]\nwheels = [\n{listing},\n]\n\n"
    manifest = re.sub(r"(?m)^\[permissions\]", block + "[permissions]", manifest, count=1)
    (source / "blender_manifest.toml").write_text(manifest)
    return source


def build(dist: Path = DIST, *, with_repository: bool = True) -> list[Path]:
    """Build every platform's zip into ``dist`` (emptied first), validate each, and write the repository listing."""
    wheels = download_wheels()
    source = stage_sources(wheels, dist.parent / f".{dist.name}-staging")
    if dist.exists():
        shutil.rmtree(dist)
    dist.mkdir(parents=True)
    extension_cli.run("build", "--source-dir", str(source), "--output-dir", str(dist), "--split-platforms")
    shutil.rmtree(source.parent)
    zips = sorted(dist.glob("*.zip"))
    for archive in zips:
        extension_cli.run("validate", str(archive))
    if with_repository:
        extension_cli.run("server-generate", "--repo-dir", str(dist), "--html")
    return zips


def describe(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        wheels = [Path(n).name for n in zf.namelist() if n.endswith(".whl")]
    core = [w for w in wheels if w.startswith("pydantic_core")]
    return f"{archive.name:<42} {archive.stat().st_size / 1e6:6.2f} MB  {len(wheels)} wheels ({len(core)} pydantic-core)"


def main() -> int:
    zips = build()
    print(f"{'zip':<42} {'size':>9}  contents")
    for archive in zips:
        print(describe(archive))
    print(f"Repository listing: {DIST / 'index.json'} (and index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
