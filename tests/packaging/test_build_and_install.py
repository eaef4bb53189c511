"""The real build: per-platform zips with bundled pydantic for cp311 and cp313, a repository listing, and the zip
installed through Blender's own extension installer in a Blender 5.0 where pydantic exists only in the zip."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tools import build, install_matrix

PLATFORM_TAGS = {"linux_x64": "manylinux", "windows_x64": "win_amd64", "macos_arm64": "arm64", "macos_x64": "x86_64"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> list[Path]:
    return build.build(tmp_path_factory.mktemp("out") / "dist")


def test_one_validated_zip_per_platform(built):
    assert sorted(p.name.rsplit("-", 1)[1].removesuffix(".zip") for p in built) == sorted(PLATFORM_TAGS)


@pytest.mark.parametrize("platform", sorted(PLATFORM_TAGS))
def test_each_zip_bundles_pydantic_for_both_pythons_and_nothing_blender_ships(built, platform):
    (archive,) = [p for p in built if p.name.endswith(f"-{platform}.zip")]
    names = zipfile.ZipFile(archive).namelist()
    wheels = [Path(n).name for n in names if n.endswith(".whl")]
    core = [w for w in wheels if w.startswith("pydantic_core")]
    assert {w.split("-")[2] for w in core} == {"cp311", "cp313"}
    assert all(PLATFORM_TAGS[platform] in w for w in core)
    assert any(w.startswith("pydantic-2.") for w in wheels)
    assert not [w for w in wheels if w.split("-")[0].lower() in ("requests", "urllib3", "certifi", "numpy", "idna")]
    assert not [n for n in names if n.startswith(("tests/", "tools/", ".ci/", "requirements/"))]
    assert archive.stat().st_size < 10_000_000
    manifest = zipfile.ZipFile(archive).read("blender_manifest.toml").decode()
    assert "[build.generated]" in manifest


def test_the_repository_listing_offers_every_zip(built):
    listing = json.loads((built[0].parent / "index.json").read_text())
    archives = {item["archive_url"].rsplit("/", 1)[-1] for item in listing["data"]}
    assert archives == {p.name for p in built}
    assert (built[0].parent / "index.html").exists()


def test_install_enable_generate_retexture_disable_uninstall_in_blender_5_0(built):
    (archive,) = [p for p in built if p.name.endswith("-linux_x64.zip")]
    outcome = install_matrix.run_leg("5.0", archive)
    print("\n" + install_matrix.table({"5.0": outcome}))
    assert {step: outcome.get(step) for step in install_matrix.STEPS} == {step: "ok" for step in install_matrix.STEPS}
    assert outcome["pydantic"] == "2.13.4"
