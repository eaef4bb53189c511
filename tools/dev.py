"""Set up and run Meshsmith's development tasks on a fresh machine with Python 3.11.

    python3.11 tools/dev.py demo   # generate a model in headless Blender: writes out/meshsmith_demo.blend and .png
    python3.11 tools/dev.py test   # the whole test suite (what CI runs)

Also: ``build`` (a zip per platform and Python, and the extension repository, in dist/), ``install-matrix``
(install the built Linux zips with Blender's own installer in Blender 4.2.0, 4.2, 4.5, 5.0, 5.1 and 5.3, or the
versions named, and use them), ``faults`` (the fault-injection table), ``bench`` (speed and memory against their budgets),
``sandbox`` (the simulator on its own), ``cli`` (Meshsmith's command line, ``blender -c meshsmith ...``, on the
``bpy`` wheel: ``python3.11 tools/dev.py cli generate images/ --out results/ --sandbox``), ``mcp`` (the MCP server
for agents on stdio, with a background Blender from the ``bpy`` wheel: ``python3.11 tools/dev.py mcp --blend
out.blend --sandbox --max-paid-jobs 1``).

``test`` runs ruff, then lint-imports (the import contracts in pyproject.toml), then pytest.

Each command creates ``.venv`` beside this repository on first use and installs what it needs into it
(requirements/dev.txt: the ``bpy`` 5.0.1 wheel, pydantic, requests, pytest, ruff, import-linter), then runs
inside it.
Nothing is installed outside ``.venv``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements" / "dev.txt"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    """Create the virtual environment and install the pinned requirements when they changed."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Meshsmith's tools need Python 3.11 (the bpy wheel requires it); this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print(f"Creating {VENV} ...", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != digest:
        print("Installing requirements (the bpy wheel is about 375 MB the first time) ...", file=sys.stderr, flush=True)
        # pip's output goes to stderr too: `dev.py mcp` speaks MCP on stdout from its first byte.
        subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(REQUIREMENTS)],
                       check=True, stdout=sys.stderr)
        stamp.write_text(digest)
    return python


def lint_imports(python: Path) -> int:
    """import-linter over the contracts in pyproject.toml, with this checkout importable as ``meshsmith`` (the name
    Blender gives it; the folder itself may have any name)."""
    shim = VENV / "import-root"
    shim.mkdir(exist_ok=True)
    link = shim / "meshsmith"
    if not (link.is_symlink() and link.resolve() == ROOT):
        link.unlink(missing_ok=True)
        link.symlink_to(ROOT, target_is_directory=True)
    # A path file in the venv puts the shim on its path for good: a bare `.venv/bin/lint-imports` works too.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    path_file = Path(site) / "meshsmith-import-root.pth"
    if not path_file.exists() or path_file.read_text().strip() != str(shim):
        path_file.write_text(f"{shim}\n")
    program = python.parent / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    return subprocess.run([str(program), "--no-cache", "--no-logo"], cwd=ROOT).returncode


def run_tests(python: Path, extra: list[str]) -> int:
    lint = subprocess.run([str(python), "-m", "ruff", "check", "."], cwd=ROOT)
    if lint.returncode != 0:
        print("ruff found problems (see above).", flush=True)
        return lint.returncode
    layers = lint_imports(python)
    if layers != 0:
        print("lint-imports found an import against the layers (see above, and pyproject.toml).", flush=True)
        return layers
    result = subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider", *extra], cwd=ROOT)
    if result.returncode == 5:
        print("pytest collected no tests: that is a failure here.", flush=True)
        return 1
    return result.returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "sandbox", "faults", "build", "install-matrix", "bench", "cli", "mcp"):
        print(__doc__)
        return 2
    python = ensure_venv()
    command, extra = argv[0], argv[1:]
    if command == "test":
        return run_tests(python, extra)
    if command == "mcp":  # stdio carries MCP messages only: the set-up above printed to stderr
        return subprocess.run([str(python), str(ROOT / "meshsmith_mcp"), "--blender-python", str(python), *extra]).returncode
    if command == "bench":
        return subprocess.run([str(python), str(ROOT / "bench" / "run.py"), *extra], cwd=ROOT).returncode
    if command in ("demo", "faults", "build", "install-matrix", "cli"):
        script = {"demo": "demo.py", "faults": "fault_suite.py", "build": "build.py", "install-matrix": "install_matrix.py",
                  "cli": "cli.py"}[command]
        return subprocess.run([str(python), str(ROOT / "tools" / script), *extra], cwd=ROOT).returncode
    return subprocess.run([str(python), "-m", "sandbox", *extra], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
