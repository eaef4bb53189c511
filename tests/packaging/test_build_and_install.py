"""The real build: a zip per platform and Python with exactly the pinned pydantic wheels for that Python and the
Blender versions that run it, only tracked files, reproducible to the byte (listing included), world-readable, and
the zip installed through Blender's own extension installer in a Blender 5.0 where pydantic exists only in the zip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tools import build, install_matrix

ROOT = Path(__file__).resolve().parents[2]
PLANTED = {"api_keys.txt": b"SG_0123456789abcdef\n", "scratch_scene.blend": b"BLENDER-v500 scratch"}
"""Untracked files a developer might leave in the checkout: they must never ship."""

PLATFORM_TAGS = {"linux_x64": "manylinux", "windows_x64": "win_amd64", "macos_arm64": "arm64", "macos_x64": "x86_64"}


def _checkout_copy(target: Path) -> Path:
    """A git repository holding this checkout's tracked files as they are now, committed with HEAD's date.

    The build is tested there, so that planting untracked files never touches the real checkout (where a
    concurrent ``git add`` could pick them up).
    """
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, target / name)
    stamp = subprocess.run(["git", "log", "-1", "--format=%cI"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git = ["git", "-c", "user.email=build@meshsmith.test", "-c", "user.name=build", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=target, check=True, env=env)
    return target


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    copy = _checkout_copy(tmp_path_factory.mktemp("checkout"))
    for name, data in PLANTED.items():
        (copy / name).write_bytes(data)  # untracked, as a developer might leave them
    return copy


@pytest.fixture(scope="module")
def built(tmp_path_factory, checkout) -> list[Path]:
    return build.build(tmp_path_factory.mktemp("out") / "dist", root=checkout)


def _tracked(root: Path) -> set[str]:
    return set(subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split())


def test_no_untracked_file_ships_in_any_zip(built, checkout):
    assert all((checkout / name).is_file() for name in PLANTED)  # they were there when the zips were built
    tracked = _tracked(checkout)
    for archive in built:
        names = zipfile.ZipFile(archive).namelist()
        assert not [n for n in names if Path(n).name in PLANTED], archive.name
        stray = [n for n in names if not n.startswith("wheels/") and n not in tracked]
        assert stray == [], f"{archive.name} holds files git does not track: {stray}"


def test_two_builds_of_one_commit_are_identical_to_the_byte_and_world_readable(built, checkout, tmp_path):
    old_mask = os.umask(0o027)  # a builder whose files nobody else may read: dist/ must still be servable
    try:
        again = build.build(tmp_path / "dist", root=checkout)
    finally:
        os.umask(old_mask)
    files = {p.name: build.sha256(p) for p in built[0].parent.iterdir()}
    assert {p.name: build.sha256(p) for p in again[0].parent.iterdir()} == files
    assert {"index.json", "index.html"} <= set(files)
    assert {(p.stat().st_mode & 0o777) for p in again[0].parent.iterdir()} == {0o644}
    assert again[0].parent.stat().st_mode & 0o777 == 0o755
    with zipfile.ZipFile(built[0]) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {build.commit_date(checkout)}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}


def test_a_dirty_checkout_is_refused_unless_allowed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    (repo / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "a.py"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "a"], cwd=repo, check=True)
    (repo / "a.py").write_text("x = 2\n")
    (repo / "secret.txt").write_text("key")
    with pytest.raises(RuntimeError, match="uncommitted changes"):
        build.tracked_files(repo)
    assert build.tracked_files(repo, allow_dirty=True) == ["a.py"]


def _fake_wheel(folder: Path, name: str) -> None:
    (folder / name).write_bytes(b"PK\x05\x06" + bytes(18))


def test_exactly_the_pinned_wheels_are_picked_and_a_missing_one_fails(tmp_path):
    for name in ("pydantic-2.13.4-py3-none-any.whl", "pydantic-2.12.0-py3-none-any.whl",
                 "annotated_types-0.8.0-py3-none-any.whl"):
        _fake_wheel(tmp_path, name)
    for version in ("2.46.4", "2.41.0"):  # an old pin left in the cache must not ship beside the new one
        for python in ("cp311", "cp313"):
            for tag in ("win_amd64", "macosx_11_0_arm64", "manylinux_2_17_x86_64.manylinux2014_x86_64",
                        "macosx_10_12_x86_64"):
                _fake_wheel(tmp_path, f"pydantic_core-{version}-{python}-{python}-{tag}.whl")
    pins = [("pydantic", "2.13.4"), ("pydantic-core", "2.46.4"), ("annotated-types", "0.8.0")]
    chosen = [p.name for p in build.select_wheels(tmp_path, pins)]
    assert "pydantic-2.12.0-py3-none-any.whl" not in chosen and "pydantic-2.13.4-py3-none-any.whl" in chosen
    assert not [n for n in chosen if "2.41.0" in n]
    assert "pydantic_core-2.46.4-cp313-cp313-macosx_10_12_x86_64.whl" not in chosen  # no Blender runs 3.13 on Intel Macs
    assert len([n for n in chosen if n.startswith("pydantic_core")]) == 7
    for_311 = [p.name for p in build.select_wheels(tmp_path, pins, python="3.11") if p.name.startswith("pydantic_core")]
    assert len(for_311) == 4 and all("-cp311-" in name for name in for_311)
    with pytest.raises(RuntimeError, match="typing-extensions==4.16.0"):
        build.select_wheels(tmp_path, [*pins, ("typing-extensions", "4.16.0")])


def test_the_zip_holds_only_the_new_pin_after_a_pin_change(tmp_path):
    for version in ("2.13.4", "2.12.0"):
        _fake_wheel(tmp_path, f"pydantic-{version}-py3-none-any.whl")
    assert [p.name for p in build.select_wheels(tmp_path, [("pydantic", "2.12.0")])] == ["pydantic-2.12.0-py3-none-any.whl"]


ZIPS = [(python, platform) for python in build.BLENDERS for platform in sorted(PLATFORM_TAGS)
        if platform.replace("_", "-") in build.platforms_for(python)]
"""Every (Python, platform) a Blender exists for: Intel Macs run Blender 4.2-5.0 only (Python 3.11)."""


def _zip(built: list[Path], python: str, platform: str) -> Path:
    (archive,) = [p for p in built if p.name.endswith(f"-{build.BLENDERS[python][2]}-{platform}.zip")]
    return archive


def test_one_validated_zip_per_platform_and_python(built):
    assert len(built) == len(ZIPS) == 7
    assert sorted(built) == sorted(_zip(built, python, platform) for python, platform in ZIPS)


@pytest.mark.parametrize(("python", "platform"), ZIPS)
def test_each_zip_bundles_pydantic_for_one_python_and_admits_only_the_blenders_that_run_it(built, python, platform):
    archive = _zip(built, python, platform)
    names = zipfile.ZipFile(archive).namelist()
    wheels = [Path(n).name for n in names if n.endswith(".whl")]
    core = [w for w in wheels if w.startswith("pydantic_core")]
    # One Python's build only: Blender 4.2.0 installs every wheel for its platform, whatever the Python.
    assert [w.split("-")[2] for w in core] == ["cp" + python.replace(".", "")]
    assert all(PLATFORM_TAGS[platform] in w for w in core)
    pins = dict(build.pinned())
    assert sorted(w.split("-")[0].lower().replace("_", "-") for w in wheels if not w.startswith("pydantic_core")) == sorted(
        name for name in pins if name != "pydantic-core")
    assert all(w.split("-")[1] == pins[w.split("-")[0].lower().replace("_", "-")] for w in wheels)
    assert not [w for w in wheels if w.split("-")[0].lower() in ("requests", "urllib3", "certifi", "numpy", "idna")]
    assert not [n for n in names if n.startswith(("tests/", "tools/", ".ci/", "requirements/"))]
    assert archive.stat().st_size < 10_000_000
    manifest = zipfile.ZipFile(archive).read("blender_manifest.toml").decode()
    assert "[build.generated]" in manifest
    low, high, _part = build.BLENDERS[python]
    assert f'blender_version_min = "{low}"' in manifest
    assert (f'blender_version_max = "{high}"' in manifest) if high else "blender_version_max" not in manifest


def test_the_repository_listing_offers_every_zip_with_its_hash_python_and_blender_range(built):
    listing = json.loads((built[0].parent / "index.json").read_text())
    archives = {item["archive_url"].rsplit("/", 1)[-1]: item for item in listing["data"]}
    assert set(archives) == {p.name for p in built}
    assert [item["archive_url"] for item in listing["data"]] == sorted(item["archive_url"] for item in listing["data"])
    for python, platform in ZIPS:
        archive = _zip(built, python, platform)
        item = archives[archive.name]
        assert item["archive_hash"] == f"sha256:{build.sha256(archive)}"
        assert item["platforms"] == [platform.replace("_", "-")] and item["python_versions"] == [python]
        low, high, _part = build.BLENDERS[python]
        assert item["blender_version_min"] == low and item.get("blender_version_max") == high
    page = (built[0].parent / "index.html").read_text()
    assert "Built {:04d}-{:02d}-{:02d}, {:02d}:{:02d}".format(*build.commit_date(ROOT)[:5]) in page


def test_a_licence_ships_and_everything_agrees_on_it(built):
    licence = (ROOT / "LICENSE").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 3, 29 June 2007" in licence
    assert 'license = ["SPDX:GPL-3.0-or-later"]' in (ROOT / "blender_manifest.toml").read_text()
    assert "GPL-3.0-or-later" in (ROOT / "README.md").read_text()
    for archive in built:
        assert "LICENSE" in zipfile.ZipFile(archive).namelist()


def test_install_enable_generate_retexture_disable_uninstall_in_blender_5_0(built):
    outcome = install_matrix.run_leg("5.0", _zip(built, "3.11", "linux_x64"))
    print("\n" + install_matrix.table({"5.0": outcome}))
    assert {step: outcome.get(step) for step in install_matrix.STEPS} == {step: "ok" for step in install_matrix.STEPS}
    assert outcome["pydantic"] == "2.13.4"
