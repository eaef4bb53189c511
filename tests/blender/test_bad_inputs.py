"""Every bad input has its own test and its own message, and leaves the scene as it was.

Inputs that can be judged here are refused before anything is created on a service (no credit
spent); faults only a service can reveal (an unknown status, an unreadable answer, a broken GLB,
silence) end with a clear error and an untouched scene.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bpy
import pytest

from blender_helpers import submodule
from tools.blender_env import MODULE_NAME


@dataclass(frozen=True)
class Case:
    setup: Callable  # (env) -> callable that runs the operator
    message: str
    may_spend: bool = False


class Env:
    """What a case needs: the add-on's sandbox, a good image, a scratch folder."""

    def __init__(self, box, png: Path, tmp: Path) -> None:
        self.box, self.png, self.tmp = box, png, tmp

    @property
    def prefs(self):
        return submodule("host.preferences").get()

    def real(self, **keys: str) -> None:
        """Real-key mode against the sandbox: keys from ``keys`` (defaults: the sandbox's valid ones)."""
        from importlib import import_module

        base = MODULE_NAME
        sim = {name: import_module(f"{base}.sandbox.{name}") for name in ("segmind", "scenario", "meshy")}
        prefs = self.prefs
        prefs.use_sandbox = False
        prefs.segmind_base_url = prefs.scenario_base_url = prefs.meshy_base_url = self.box.url
        prefs.segmind_api_key = keys.get("segmind", sim["segmind"].VALID_KEY)
        prefs.scenario_api_key = keys.get("scenario", sim["scenario"].VALID_KEY)
        prefs.scenario_api_secret = keys.get("scenario_secret", sim["scenario"].VALID_SECRET)
        prefs.meshy_api_key = keys.get("meshy", sim["meshy"].VALID_KEY)

    def file(self, name: str, data: bytes) -> str:
        path = self.tmp / name
        path.write_bytes(data)
        return str(path)

    def generate(self, provider="SEGMIND", image: str | None = None, prompt=""):
        return lambda: bpy.ops.meshsmith.generate(provider=provider, image_path=str(self.png) if image is None else image,
                                                  prompt=prompt)

    def retexture(self, style="bronze", obj: str = "cube", uvs=True, **meshy):
        if obj == "cube":
            bpy.ops.mesh.primitive_cube_add()
            if not uvs:
                mesh = bpy.context.active_object.data
                while mesh.uv_layers:
                    mesh.uv_layers.remove(mesh.uv_layers[0])
        elif obj == "camera":
            bpy.ops.object.camera_add()
        elif obj == "empty_mesh":
            empty = bpy.data.objects.new("Empty Mesh", bpy.data.meshes.new("Empty Mesh"))
            bpy.context.scene.collection.objects.link(empty)
            bpy.context.view_layer.objects.active = empty
        elif obj == "none":
            bpy.context.view_layer.objects.active = None
        for key, value in meshy.items():
            setattr(bpy.context.scene.meshsmith.meshy, key, value)
        return lambda: bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt=style)


def _png_bytes() -> bytes:
    from importlib import import_module

    base = MODULE_NAME
    return import_module(f"{base}.sandbox.assets").make_textures(2, 16).base_color


def _sparse(env: Env, name: str, size: int) -> str:
    """A file of ``size`` bytes with a PNG signature, made without writing them all (a sparse file)."""
    path = env.tmp / name
    with path.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.truncate(size)
    return str(path)


def _no_pixels(env: Env):
    path = Path(env.file("vanishing.png", _png_bytes()))
    image = bpy.data.images.load(str(path))
    path.unlink()
    bpy.context.scene.meshsmith.image = image
    return lambda: bpy.ops.meshsmith.generate(provider="SEGMIND")


def _offline(env: Env):
    env.real()
    env.prefs.segmind_base_url = "https://api.segmind.com"
    bpy.context.preferences.system.use_online_access = False
    return env.generate()


def _unwritable(env: Env):
    blocker = Path(env.file("not-a-folder", b"x"))
    env.prefs.output_dir = str(blocker / "results")
    return env.generate()


def _too_large_mesh(env: Env, monkeypatch):
    monkeypatch.setattr(submodule("mesh_io.exporter"), "MAX_EXPORT_BYTES", 1000)
    bpy.ops.mesh.primitive_uv_sphere_add(segments=64, ring_count=32)
    return lambda: bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="bronze")


def _fifo(env: Env) -> str:
    import os

    path = env.tmp / "pipe.png"
    os.mkfifo(path)
    return str(path)


def _fault(kind: str, where: str, provider="SEGMIND", **options):
    def setup(env: Env):
        paths = {"SEGMIND": {"status": "/status", "download": "/meshes/", "create": "/v2/hunyuan-3d-2"},
                 "SCENARIO": {"status": "/v1/jobs/", "download": "/cdn/", "create": "/generate/custom"}}[provider]
        env.box.arm(kind, path_contains=paths[where], method="POST" if where == "create" else "GET", **options)
        return env.generate(provider)
    return setup


CASES: dict[str, Case] = {
    "segmind_no_key": Case(lambda e: (e.real(segmind=""), e.generate())[1], "No Segmind API key"),
    "scenario_no_key": Case(lambda e: (e.real(scenario=""), e.generate("SCENARIO"))[1], "No Scenario API key"),
    "scenario_no_secret": Case(lambda e: (e.real(scenario_secret=""), e.generate("SCENARIO"))[1], "secret"),
    "meshy_no_key": Case(lambda e: (e.real(meshy=""), e.retexture())[1], "No Meshy API key"),
    "segmind_wrong_key": Case(lambda e: (e.real(segmind="wrong-key-000000"), e.generate())[1], "refused the API key"),
    "scenario_wrong_key": Case(lambda e: (e.real(scenario_secret="wrong-secret-000"), e.generate("SCENARIO"))[1], "refused the API key"),
    "meshy_wrong_key": Case(lambda e: (e.real(meshy="msy_wrong_000000000"), e.retexture())[1], "refused the API key"),
    "segmind_no_credits": Case(lambda e: (e.real(segmind="sandbox-segmind-broke-key"), e.generate())[1], "not enough credits"),
    "meshy_no_credits": Case(lambda e: (e.real(meshy="msy_sandbox_broke_0123456789"), e.retexture())[1], "run out of credits"),
    "image_missing": Case(lambda e: e.generate(image=str(e.tmp / "nope.png")), "does not exist"),
    "image_empty": Case(lambda e: e.generate(image=e.file("empty.png", b"")), "is empty"),
    "image_not_an_image": Case(lambda e: e.generate(image=e.file("notes.png", b"shopping list: eggs")), "not a PNG, JPEG or WebP"),
    "image_truncated": Case(lambda e: e.generate(image=e.file("cut.png", _png_bytes()[:60])), "cut short"),
    "image_enormous": Case(lambda e: e.generate(image=_sparse(e, "huge.png", 201 * 1024 * 1024)), "limit is 200 MB"),
    "image_is_a_folder": Case(lambda e: e.generate(image=str(e.tmp)), "is a folder"),
    "image_is_a_fifo": Case(lambda e: e.generate(image=_fifo(e)), "is not a regular file"),
    "image_is_a_device": Case(lambda e: e.generate(image="/dev/zero"), "is not a regular file"),
    "image_datablock_without_pixels": Case(_no_pixels, "no pixels"),
    "no_image_chosen": Case(lambda e: lambda: bpy.ops.meshsmith.generate(provider="SEGMIND"), "Choose a reference image"),
    "scenario_image_over_6_mb": Case(lambda e: e.generate("SCENARIO", image=e.file("big.png", _png_bytes()[:-12] + bytes(7 * 1024 * 1024) + _png_bytes()[-12:])), "up to 6 MB", may_spend=False),
    "prompt_over_limit": Case(lambda e: e.generate(prompt="x" * 1025), "limit is 1024"),
    "style_prompt_over_limit": Case(lambda e: e.retexture(style="x" * 601), "at most 600"),
    "meshy_n1_without_a_style_image": Case(lambda e: e.retexture(texture_model="meshy-n1"), "from a style image only"),
    "no_style": Case(lambda e: e.retexture(style=""), "Describe the style"),
    "meshy_6_lite_at_4k": Case(lambda e: e.retexture(texture_model="meshy-6-lite", texture_resolution="4k"),
                               "Meshy 6 Lite makes 2K textures only"),
    "no_object_selected": Case(lambda e: e.retexture(obj="none"), "Select the mesh object to retexture"),
    "non_mesh_object": Case(lambda e: e.retexture(obj="camera"), "is a camera, not a mesh"),
    "empty_mesh": Case(lambda e: e.retexture(obj="empty_mesh"), "has no faces"),
    "online_access_off": Case(_offline, "Online access is off. Enable it in Edit > Preferences"),
    "unwritable_output_folder": Case(_unwritable, "Cannot write to the results folder"),
    "server_address_not_https": Case(lambda e: (e.real(), setattr(e.prefs, "segmind_base_url", "http://api.example.com"), e.generate())[2], "must use https"),
    "server_address_not_a_url": Case(lambda e: (e.real(), setattr(e.prefs, "segmind_base_url", "api.segmind.com"), e.generate())[2], "is not a URL"),
    "unknown_status": Case(_fault("unknown_status", "status", count=99), "unknown job status 'MYSTERY_STATE'", may_spend=True),
    "malformed_json": Case(_fault("malformed_json", "status", count=99), "not valid JSON", may_spend=True),
    "glb_that_is_not_a_glb": Case(_fault("corrupt", "download", count=99), "not a GLB file", may_spend=True),
    "server_never_answers": Case(_fault("stall", "create", stall_s=10.0), "may be billed", may_spend=True),
    "server_error_on_create": Case(_fault("status", "create", status=500), "server error", may_spend=False),
}


def _scene_state() -> list[tuple]:
    return sorted((o.name, o.hide_get(), tuple(s.material.name if s.material else "" for s in o.material_slots))
                  for o in bpy.data.objects)


def test_the_catalogue_has_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_its_message(name, sandbox_of_addon, png_file, tmp_path, monkeypatch):
    monkeypatch.setenv("MESHSMITH_HTTP_READ_TIMEOUT", "1.5")
    monkeypatch.setenv("MESHSMITH_POLL_INTERVAL", "0.05")
    case = CASES[name]
    env = Env(sandbox_of_addon, png_file, tmp_path)
    try:
        run = _too_large_mesh(env, monkeypatch) if name == "mesh_too_large" else case.setup(env)
        before = _scene_state()
        with pytest.raises(RuntimeError, match=case.message):
            run()
        assert _scene_state() == before
        spent = sandbox_of_addon.segmind.creating_posts + sandbox_of_addon.scenario.creating_posts + sandbox_of_addon.meshy.creating_posts
        assert spent <= (1 if case.may_spend else 0)
    finally:
        bpy.context.preferences.system.use_online_access = True


def test_mesh_too_large_to_send(sandbox_of_addon, png_file, tmp_path, monkeypatch):
    run = _too_large_mesh(Env(sandbox_of_addon, png_file, tmp_path), monkeypatch)
    before = _scene_state()
    with pytest.raises(RuntimeError, match="Decimate it first"):
        run()
    assert _scene_state() == before and sandbox_of_addon.meshy.creating_posts == 0


def test_out_of_range_parameters_from_python_cannot_reach_a_service():
    segmind = bpy.context.scene.meshsmith.segmind
    segmind.num_inference_steps, segmind.face_count, segmind.guidance_scale = 500, 10, 99.0
    # Blender clamps scene settings to the documented ranges...
    assert (segmind.num_inference_steps, segmind.face_count, segmind.guidance_scale) == (50, 5000, 15.0)
    # ...and the provider models refuse out-of-range values from pipeline code, naming the field.
    from pydantic import ValidationError

    providers = submodule("providers.segmind.client")
    with pytest.raises(ValidationError, match="num_inference_steps"):
        providers.SegmindProvider.validate_params({"num_inference_steps": 500})
    inputs = submodule("operators.inputs")
    base = submodule("providers.base")
    try:
        submodule("providers.scenario.client").ScenarioProvider.validate_params({"steps": 5})
    except ValidationError as exc:
        assert "steps" in base.validation_message("Scenario", exc)
    assert inputs.generation_params(bpy.context, "SEGMIND")["num_inference_steps"] == 50
