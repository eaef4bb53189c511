"""Build the extension: one reproducible zip per platform and Python with Blender's own builder, each holding
exactly the pinned pydantic wheels for that Python and admitting only the Blender versions that run it, plus a
static extension repository (index.json, index.html) a studio can host.

    python3.11 tools/dev.py build                 # writes dist/: the zips, index.json, index.html; prints each hash
    python3.11 tools/dev.py build --allow-dirty   # build from a checkout with uncommitted changes

What ships, and only that:
- the files git tracks (``git ls-files``), as they are in the working tree; an untracked file (a key in
  ``api_keys.txt``, a scratch .blend) never reaches a zip, and a tree with uncommitted changes is refused
  unless ``--allow-dirty`` is given;
- the wheels pinned in requirements/bundle.txt, picked from the download cache (build/wheels) by name,
  version and tags for each platform and Python; a missing one fails the build, and no other version
  in the cache can slip in;
- one zip per Python, never one with both: Blender 4.2.0's installer picks bundled wheels by platform only (not
  by Python), so a zip holding cp311 and cp313 builds of pydantic-core breaks there. Each zip's manifest admits
  the Blender versions that run its Python (``blender_version_min``/``max``), so every Blender finds one zip;
- zips whose entries are sorted, dated from the commit and given fixed permissions, and a listing with no
  build time in it: two builds of one commit give the same bytes; every file in dist/ is world-readable
  (a web server can serve it whatever the builder's umask).
Nothing here is committed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import extension_cli  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
BUNDLE = ROOT / "requirements" / "bundle.txt"
PLATFORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    # platform: (wheel platform tag, the Pythons of the Blenders made for it)
    "windows-x64": ("win_amd64", ("3.11", "3.13")),
    "macos-arm64": ("macosx_11_0_arm64", ("3.11", "3.13")),
    # Intel Macs: Blender 4.2 and 4.5 only (Python 3.11); Blender 5.0 and later have no Intel Mac build.
    "macos-x64": ("macosx_10_12_x86_64", ("3.11",)),
    "linux-x64": ("manylinux_2_17_x86_64", ("3.11", "3.13")),
}
"""Blender 4.2–5.0 run Python 3.11; 5.1 and later run 3.13."""
BLENDERS: dict[str, tuple[str, str | None, str]] = {
    # Python: (blender_version_min, blender_version_max (the first version NOT admitted), the zip's name part)
    "3.11": ("4.2.0", "5.1.0", "blender4.2-5.0"),
    "3.13": ("5.1.0", None, "blender5.1-up"),
}
COMPILED = {"pydantic-core"}
ZIP_DATE_FALLBACK = (2026, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


@dataclass(frozen=True)
class Wheel:
    """A wheel file's name, parsed (PEP 427): what it is, and which Pythons and platforms it is for."""

    path: Path
    name: str
    version: str
    python: str
    abi: str
    platform: str

    @classmethod
    def parse(cls, path: Path) -> Wheel | None:
        parts = path.name.removesuffix(".whl").split("-")
        if len(parts) not in (5, 6):
            return None
        name, version, python, abi, platform = parts[0], parts[1], parts[-3], parts[-2], parts[-1]
        return cls(path, normalise(name), version, python, abi, platform)

    def fits(self, python: str, platform_tag: str) -> bool:
        """Whether this wheel loads in CPython ``python`` ('3.11') on ``platform_tag`` (pure wheels fit everywhere)."""
        if self.platform == "any":
            return self.abi == "none" and any(tag in ("py3", f"py{python.replace('.', '')}") for tag in self.python.split("."))
        cp = "cp" + python.replace(".", "")
        return cp in self.python.split(".") and platform_tag in self.platform.split(".")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> list[tuple[str, str]]:
    pins = []
    for line in BUNDLE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins.append((normalise(name.strip()), version.strip()))
    return pins


def download_wheels(cache: Path = BUILD / "wheels") -> None:
    """Fetch every pinned wheel for every platform and Python into ``cache`` (pip skips what is there)."""
    cache.mkdir(parents=True, exist_ok=True)
    for name, version in pinned():
        if name in COMPILED:
            combos = [(python, tag) for tag, pythons in PLATFORMS.values() for python in pythons]
        else:
            combos = [("3.11", None)]
        for python, tag in combos:
            command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                       "--only-binary=:all:", "--implementation", "cp", "--python-version", python, "-d", str(cache),
                       f"{name}=={version}"]
            if tag:
                command += ["--platform", tag]
            subprocess.run(command, check=True)


def platforms_for(python: str) -> list[str]:
    """The platforms whose Blenders run ``python`` ('3.11')."""
    return [name for name, (_tag, pythons) in PLATFORMS.items() if python in pythons]


def select_wheels(cache: Path, pins: list[tuple[str, str]] | None = None, *, python: str | None = None) -> list[Path]:
    """Exactly the pinned wheels each platform needs (for ``python`` only, when given), from ``cache``;
    ``RuntimeError`` naming any that is missing."""
    available = [wheel for wheel in map(Wheel.parse, sorted(cache.glob("*.whl"))) if wheel is not None]
    chosen: list[Path] = []
    missing: list[str] = []
    for name, version in pins if pins is not None else pinned():
        candidates = [wheel for wheel in available if wheel.name == name and wheel.version == version]
        needs = sorted({(each, tag) for tag, pythons in PLATFORMS.values() for each in pythons
                        if python is None or each == python})
        for each, tag in needs:
            fitting = [wheel for wheel in candidates if wheel.fits(each, tag)]
            if not fitting:
                missing.append(f"{name}=={version} for Python {each} on {tag}")
            elif fitting[0].path not in chosen:
                chosen.append(fitting[0].path)
    if missing:
        raise RuntimeError("pinned wheels missing from the cache: " + "; ".join(missing))
    return sorted(chosen)


def tracked_files(root: Path = ROOT, *, allow_dirty: bool = False) -> list[str]:
    """The files git tracks under ``root``; refuses uncommitted changes unless ``allow_dirty``."""
    if not allow_dirty:
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, check=True).stdout
        if status.strip():
            raise RuntimeError("the checkout has uncommitted changes; commit them, or build with --allow-dirty:\n" + status)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    return [name for name in listed.decode("utf-8").split("\0") if name and (root / name).is_file()]


def commit_date(root: Path = ROOT) -> tuple[int, int, int, int, int, int]:
    """The date of HEAD's commit, as a zip timestamp (the same for every build of one commit)."""
    result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True)
    if result.returncode != 0 or not result.stdout.strip():
        return ZIP_DATE_FALLBACK
    stamp = time.gmtime(int(result.stdout.strip()))
    return (max(stamp.tm_year, 1980), stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec & ~1)


def stage_sources(wheels: list[Path], staging: Path, *, root: Path = ROOT, allow_dirty: bool = False,
                  python: str = "3.11") -> Path:
    """The tracked files of the add-on with the wheels in ./wheels and a manifest that lists them, the platforms
    whose Blenders run ``python``, and the Blender versions that run it."""
    source = staging / "meshsmith"
    if source.exists():
        shutil.rmtree(source)
    for name in tracked_files(root, allow_dirty=allow_dirty):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, target)
    (source / "wheels").mkdir(exist_ok=True)
    for wheel in wheels:
        shutil.copyfile(wheel, source / "wheels" / wheel.name)
    manifest = (source / "blender_manifest.toml").read_text()
    listing = ",\n".join(f'  "./wheels/{wheel.name}"' for wheel in wheels)
    platforms = ", ".join(f'"{p}"' for p in platforms_for(python))
    block = f"platforms = [{platforms}]\nwheels = [\n{listing},\n]\n\n"
    manifest = re.sub(r"(?m)^\[permissions\]", block + "[permissions]", manifest, count=1)
    low, high, _name = BLENDERS[python]
    versions = f'blender_version_min = "{low}"\n' + (f'blender_version_max = "{high}"\n' if high else "")
    manifest, found = re.subn(r'(?m)^blender_version_min = "[^"]*"\n', versions, manifest, count=1)
    if not found:
        raise RuntimeError("blender_manifest.toml has no blender_version_min line")
    (source / "blender_manifest.toml").write_text(manifest)
    return source


def normalise_zip(archive: Path, date: tuple[int, int, int, int, int, int]) -> None:
    """Rewrite ``archive`` with sorted entries, one timestamp and fixed permissions: same inputs, same bytes."""
    with zipfile.ZipFile(archive) as source:
        entries = sorted((info.filename, source.read(info)) for info in source.infolist() if not info.is_dir())
    temporary = archive.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w") as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = (0o100000 | FILE_MODE) << 16
            target.writestr(info, data, compresslevel=9)
    temporary.replace(archive)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(dist: Path = DIST, *, with_repository: bool = True, allow_dirty: bool = False, root: Path = ROOT,
          cache: Path = BUILD / "wheels") -> list[Path]:
    """Build every platform's zip for each Python into ``dist`` (emptied first), validate each, and write the
    repository listing."""
    tracked_files(root, allow_dirty=allow_dirty)  # refuse a dirty tree before spending time on downloads
    download_wheels(cache)
    if dist.exists():
        shutil.rmtree(dist)
    dist.mkdir(parents=True)
    staging = dist.parent / f".{dist.name}-staging"
    try:
        for python, (_low, _high, part) in BLENDERS.items():
            source = stage_sources(select_wheels(cache, python=python), staging, root=root, allow_dirty=allow_dirty,
                                   python=python)
            built = staging / "zips"
            built.mkdir(exist_ok=True)
            extension_cli.run("build", "--source-dir", str(source), "--output-dir", str(built), "--split-platforms")
            for archive in built.glob("*.zip"):  # meshsmith-0.1.0-linux_x64.zip -> meshsmith-0.1.0-blender4.2-5.0-linux_x64.zip
                stem, _, platform = archive.name.rpartition("-")
                archive.replace(dist / f"{stem}-{part}-{platform}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    zips = sorted(dist.glob("*.zip"))
    date = commit_date(root)
    for archive in zips:
        normalise_zip(archive, date)
        extension_cli.run("validate", str(archive))
    if with_repository:
        extension_cli.run("server-generate", "--repo-dir", str(dist), "--html")
        _reproducible_listing(dist, date)
    dist.chmod(0o755)
    for item in dist.iterdir():
        item.chmod(FILE_MODE)  # served as they are: readable by a web server whatever this builder's umask
    return zips


def _reproducible_listing(dist: Path, date: tuple[int, int, int, int, int, int]) -> None:
    """Blender's listing follows the folder's order (which the file system chooses) and its page states when it
    was generated: sort both by archive and state the commit's date instead (same commit, same bytes)."""
    index = dist / "index.json"
    listing = json.loads(index.read_text(encoding="utf-8"))
    listing["data"].sort(key=lambda item: item["archive_url"])
    index.write_text(json.dumps(listing, indent=2) + "\n", encoding="utf-8")
    page = dist / "index.html"
    if not page.exists():
        return
    text = page.read_text(encoding="utf-8")
    head, _, rest = text.partition("  </tr>\n")  # the header row ends first
    rows, _, tail = rest.partition("</table>")
    blocks = sorted(block + "  </tr>\n" for block in rows.split("  </tr>\n") if block.strip())
    stamp = "{:04d}-{:02d}-{:02d}, {:02d}:{:02d}".format(*date[:5])  # Blender writes "Built 2026-12-05, 21:47"
    tail = re.sub(r"\b\d{4}-\d{2}-\d{2}, \d{2}:\d{2}\b", stamp, tail)
    page.write_text(head + "  </tr>\n" + "".join(blocks) + "</table>" + tail, encoding="utf-8")


def describe(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        wheels = [Path(n).name for n in zf.namelist() if n.endswith(".whl")]
    core = sorted(w.split("-")[2] for w in wheels if w.startswith("pydantic_core"))
    return (f"{archive.name:<42} {archive.stat().st_size / 1e6:6.2f} MB  {len(wheels)} wheels "
            f"(pydantic-core {', '.join(core)})  sha256 {sha256(archive)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow-dirty", action="store_true", help="build although tracked files have uncommitted changes")
    options = parser.parse_args(argv)
    try:
        zips = build(allow_dirty=options.allow_dirty)
    except RuntimeError as exc:
        print(f"build refused: {exc}", file=sys.stderr)
        return 1
    print(f"{'zip':<42} {'size':>9}  contents")
    for archive in zips:
        print(describe(archive))
    print(f"Repository listing: {DIST / 'index.json'} (and index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
