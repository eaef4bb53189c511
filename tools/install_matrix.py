"""Install the built Linux zips in Blender 4.2.0, 4.2 LTS, 4.5 LTS, 5.0, 5.1 and 5.3 and use them: one table, one
command. Each leg installs the zip made for its Blender's Python (see tools/build.py).

    python3.11 tools/dev.py install-matrix            # every leg whose Python is on this machine
    python3.11 tools/dev.py install-matrix 5.0        # one leg (the regular test suite runs 5.0)

Each leg gets its own virtual environment (.venv-blender-<version>) with the ``bpy`` wheel and the
requests, urllib3 and numpy that Blender release ships, and no pydantic: the extension's bundled
wheels are the only pydantic there is. Blender 5.1 and later run Python 3.13: those legs need a
``python3.13`` (on the PATH, under pyenv, or named by ``MESHSMITH_PYTHON313``) and are skipped without one.
The zip is built first when dist/ has none or it is older than the sources.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What each Blender release bundles (Blender's build_files/build_environment/cmake/versions.cmake; 4.5's requests
# is not verified and is taken to be 5.0's).
LEGS = {
    # 4.2.0 picks bundled wheels by platform only, not by Python: the leg that proves each zip holds one Python's.
    "4.2.0": ["bpy==4.2.0", "requests==2.27.1", "urllib3==1.26.8", "numpy==1.24.3"],
    "4.2": ["bpy==4.2.23", "requests==2.27.1", "urllib3==1.26.8", "numpy==1.24.3"],
    "4.5": ["bpy==4.5.15", "requests==2.32.3", "urllib3==2.4.0", "numpy==1.26.4"],
    "5.0": ["bpy==5.0.1", "requests==2.32.3", "urllib3==2.4.0", "numpy==1.26.4"],
    # Python 3.13 from 5.1 on; requests/urllib3 as 5.1's versions.cmake pins them, numpy as the bpy wheel requires.
    "5.1": ["bpy==5.1.2", "requests==2.32.3", "urllib3==2.4.0"],
    "5.3": ["bpy==5.3.0", "requests==2.32.3", "urllib3==2.4.0"],
}
PYTHONS = {"4.2.0": "3.11", "4.2": "3.11", "4.5": "3.11", "5.0": "3.11", "5.1": "3.13", "5.3": "3.13"}
STEPS = ["pydantic absent before install", "install", "enable", "generate", "retexture", "disable", "re-enable", "uninstall"]
LABELS = {"pydantic absent before install": "no-pydant"}


def find_python(version: str) -> str | None:
    """A CPython ``version`` ('3.13') on this machine: this interpreter, the PATH, pyenv, or MESHSMITH_PYTHON313."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return sys.executable
    named = os.environ.get(f"MESHSMITH_PYTHON{version.replace('.', '')}", "")
    candidates = [named, shutil.which(f"python{version}") or ""]
    candidates += sorted(str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))
    for candidate in filter(None, candidates):
        check = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
        if check.returncode == 0 and check.stdout.strip() == str(tuple(int(p) for p in version.split("."))):
            return candidate
    return None


def leg_python(version: str) -> Path:
    folder = ROOT / f".venv-blender-{version}"
    python = folder / "bin" / "python"
    stamp = folder / ".pins"
    pins = " ".join(LEGS[version])
    if not python.exists():
        base = find_python(PYTHONS[version])
        if base is None:
            raise RuntimeError(f"Blender {version} needs Python {PYTHONS[version]}, which is not on this machine")
        subprocess.run([base, "-m", "venv", str(folder)], check=True)
    if not stamp.exists() or stamp.read_text() != pins:
        subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *LEGS[version]], check=True)
        stamp.write_text(pins)
    return python


def _newest_source_change() -> float:
    """When a file that goes into the zip last changed (tracked and untracked files git does not ignore)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return max(((ROOT / name).stat().st_mtime for name in listed if (ROOT / name).is_file()), default=0.0)


def linux_zip(version: str = "5.0") -> Path:
    """The Linux zip in dist/ for Blender ``version``'s Python, built first when there is none or the sources
    changed since (a stale zip would test yesterday's code)."""
    from tools.build import BLENDERS

    pattern = f"meshsmith-*-{BLENDERS[PYTHONS[version]][2]}-linux_x64.zip"
    found = sorted((ROOT / "dist").glob(pattern))
    if not found or found[-1].stat().st_mtime < _newest_source_change():
        from tools.build import build

        build(with_repository=False, allow_dirty=True)  # a developer's tool: test the code as it is now
        found = sorted((ROOT / "dist").glob(pattern))
    return found[-1]


def run_leg(version: str, archive: Path) -> dict:
    try:
        python = leg_python(version)
    except RuntimeError as exc:
        return {"install": f"skipped: {exc}", "blender": version}
    result = subprocess.run([str(python), str(ROOT / "tools" / "install_check.py"), str(archive)],
                            capture_output=True, text=True, timeout=900)
    for line in result.stdout.splitlines():
        if line.startswith("MESHSMITH-INSTALL-RESULT "):
            return json.loads(line.split(" ", 1)[1])
    return {"install": f"the check did not report (exit {result.returncode}): {result.stderr[-2000:]}"}


def table(results: dict[str, dict]) -> str:
    lines = [f"{'Blender':<8} " + " ".join(f"{LABELS.get(step, step):<10}" for step in STEPS) + " pydantic   requests urllib3",
             "-" * 110]
    for version, outcome in results.items():
        cells = " ".join(f"{'pass' if outcome.get(step) == 'ok' else 'FAIL':<10}" for step in STEPS)
        lines.append(f"{outcome.get('blender', version).split()[0]:<8} {cells} {outcome.get('pydantic', '-'):<10} "
                     f"{outcome.get('requests', '-'):<8} {outcome.get('urllib3', '-')}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    versions = argv or list(LEGS)
    results = {version: run_leg(version, linux_zip(version)) for version in versions}
    skipped = {v: results.pop(v)["install"] for v in list(results) if str(results[v].get("install", "")).startswith("skipped:")}
    print(table(results))
    for version, reason in skipped.items():
        print(f"\n{version} {reason}")
    failures = {v: {k: r for k, r in outcome.items() if k in STEPS and r != "ok"} for v, outcome in results.items()}
    for version, failed in failures.items():
        for step, reason in failed.items():
            print(f"\n{version} {step}: {reason}")
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
