"""Scenario's model catalog against the sandbox over real HTTP: paging and caching, schemas of every shape,
values refused with the input's own label before anything is uploaded, and jobs on models of different shapes
(one image, text only, several views, several images, a mesh to retexture, a mesh to remesh) with their costs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobKind, JobRecord, JobState
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.providers.scenario import catalog, catalog_values
from meshsmith.providers.scenario.client import ScenarioProvider
from meshsmith.sandbox.assets import make_model_glb
from meshsmith.sandbox.scenario import VALID_KEY, VALID_SECRET, cost_of
from meshsmith.sandbox.scenario_catalog import MODELS, check_body


@pytest.fixture
def client(sandbox):
    return ScenarioProvider(HttpClient(), VALID_KEY, VALID_SECRET, base_url=sandbox.url, poll_interval=0.05)


def _run(client, tmp_path: Path, model: str, values: dict, *, images=(), mesh: Path | None = None, prompt: str = "",
         kind: JobKind = JobKind.GENERATE) -> JobRecord:
    engine = JobEngine()
    inputs = {"image_path": ";".join(str(path) for path in images), "work_dir": str(tmp_path / "work")}
    if mesh is not None:
        inputs["mesh_path"] = str(mesh)
    if prompt:
        inputs["prompt"] = prompt
    record = JobRecord(provider="SCENARIO", kind=kind, params={"model": model, "inputs": values}, inputs=inputs,
                       output_dir=str(tmp_path / "out" / model))
    job_id = engine.submit(record, client).id
    deadline = time.monotonic() + 30

    def going_on(record: JobRecord) -> bool:  # an unknown job is still being looked for until finished_at
        return record.state.is_active or record.state is JobState.UNKNOWN and record.finished_at is None

    while going_on(engine.get(job_id)) and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    done = engine.get(job_id)
    engine.shutdown()
    return done


# --- the catalog ------------------------------------------------------------------------------------------------
def test_the_catalog_is_read_page_by_page_and_holds_only_3d_models(sandbox, client):
    sandbox.scenario.config.catalog_filler = 200
    found = client.fetch_catalog()
    assert len(found.models) == 209  # 9 of the sandbox's own 3D models + 200 (an image model left out)
    assert "model_flux-dev" not in found.models
    assert sandbox.scenario.list_reads == -(-210 // 4)  # every page, each read once
    assert all(model.inputs is None for model in found.models.values())  # list entries carry no schema


def test_a_repeated_page_token_ends_the_listing(sandbox, client):
    sandbox.scenario.config.repeat_token = True
    found = client.fetch_catalog()
    assert sandbox.scenario.list_reads == 2 and found.models  # read again once, then stopped


def test_featured_models_come_first_retired_ones_are_hidden_with_their_successor(sandbox, client):
    found = client.fetch_catalog()
    order = [model.id for model in found.visible()]
    assert order[:2] == ["model_hunyuan-3d-v2-1", "model_meshy-7-img23d"]
    assert "model_tripo-v2-5-image-to-3d" not in order
    assert found.get("model_tripo-v2-5-image-to-3d").successor == "model_tripo-v3-1-image-to-3d"
    assert [m.id for m in found.visible(catalog.TEXT_TO_3D)] == ["model_meshy-7-txt23d"]
    assert [m.id for m in found.visible(catalog.RETEXTURE)] == ["model_meshy-7-retexture"]
    assert [m.id for m in found.visible(catalog.REMESH)] == ["model_meshy-remesh"]
    assert "model_hunyuan-3d-pro-3-1-multiview" in [m.id for m in found.visible(catalog.VIEWS_TO_3D)]
    assert "model_hunyuan-3d-pro-3-1-multiview" not in [m.id for m in found.visible(catalog.IMAGE_TO_3D)]


def test_the_cache_keeps_models_and_details_and_a_broken_cache_is_ignored(sandbox, client, tmp_path):
    found = client.fetch_catalog()
    tripo = client.model_details("model_tripo-v3-1-image-to-3d")
    found = found.with_details(tripo)
    found.save(tmp_path)
    again = catalog.Catalog.load(tmp_path)
    assert again.from_cache and set(again.models) == set(found.models)
    assert abs(again.fetched_at - found.fetched_at) < 1e-6
    loaded = again.get("model_tripo-v3-1-image-to-3d")
    assert [item.name for item in loaded.inputs] == [item.name for item in tripo.inputs]
    quality = loaded.input("textureQuality")
    assert quality.choices == (("standard", "Standard"), ("detailed", "Detailed"), ("extreme", "Extreme (8K)"))
    (tmp_path / catalog.CACHE_NAME).write_text("{not json")
    assert catalog.Catalog.load(tmp_path) is None


@pytest.mark.parametrize("content", [
    '{"version": 1, "models": 5}',
    '{"version": 1, "models": {"a": 1}}',
    '{"version": 1, "models": [5, "x", null, {"id": 7}, {"id": "model_x", "inputs": 3, "tags": 9}]}',
    '{"version": 1, "models": ' + "[" * 100000 + "]" * 100000 + "}",
    "[" * 100000,
    '{"version": 1, "fetched_at": "yesterday", "models": [{"id": "model_y", "inputs": [{"name": 5}]}]}',
])
def test_a_cache_of_another_shape_is_ignored_never_a_crash(tmp_path, content):
    (tmp_path / catalog.CACHE_NAME).write_text(content)
    found = catalog.Catalog.load(tmp_path)  # must not raise
    assert found is None or all(model.id.startswith("model_") for model in found.models.values())


@pytest.mark.parametrize("model_id", ["../../x", "..", ".hidden", "models/x", "model_x/../../v1/assets", "%2e%2e", ""])
def test_a_model_id_that_would_walk_the_apis_paths_is_refused_before_anything_is_sent(sandbox, client, model_id):
    with pytest.raises(E.InvalidInputError, match="is not a Scenario model id"):
        client.model_details(model_id)
    assert sandbox.request_log == []


def test_a_job_naming_a_bad_model_id_sends_nothing(sandbox, client, png_file, tmp_path):
    done = _run(client, tmp_path, "../../assets", {}, images=[png_file])
    assert done.state is JobState.FAILED and "is not a Scenario model id" in done.error
    assert sandbox.request_log == [] and sandbox.scenario.creating_posts == 0


def test_two_clients_do_not_share_what_they_remember_unless_given_one_memory(sandbox):
    from meshsmith.providers.memory import ProviderMemory

    first, second = (ScenarioProvider(HttpClient(), VALID_KEY, VALID_SECRET, base_url=sandbox.url) for _ in range(2))
    first.model_details("model_tripo-v3-1-image-to-3d")
    second.model_details("model_tripo-v3-1-image-to-3d")
    assert sandbox.scenario.model_reads == 2  # two engines in one process: each asks for itself
    shared = ProviderMemory()
    first.memory = second.memory = shared
    first.model_details("model_tripo-v3-1-image-to-3d")
    second.model_details("model_tripo-v3-1-image-to-3d")
    assert sandbox.scenario.model_reads == 3  # one host's clients: asked once


def test_every_input_shape_is_parsed(client):
    details = {model["id"]: client.model_details(model["id"]) for model in MODELS if model["id"] != "model_flux-dev"}
    tripo = details["model_tripo-v3-1-image-to-3d"]
    assert tripo.input("faceLimit").integer and tripo.input("faceLimit").min == 1000
    assert details["model_hunyuan-3d-v2-1"].input("guidanceScale").integer is False
    assert details["model_meshy-7-txt23d"].input("prompt").prompt
    assert details["model_meshy-7-txt23d"].input("prompt").max_length == 600
    assert details["model_meshy-7-img23d"].input("image").type == "file_array"
    assert details["model_meshy-7-img23d"].input("image").max_length == 4
    retexture = details["model_meshy-7-retexture"]
    assert retexture.input("model").kind == "3d"
    assert retexture.input("textStylePrompt").required == ("if_not_defined", "imageStyle")
    assert details["model_hunyuan-3d-v2-1"].input("image").required == ("always", "")


@pytest.mark.parametrize(("model", "values", "words"), [
    ("model_tripo-v3-1-image-to-3d", {"textureQuality": "ultra"}, "Texture Quality: 'ultra' is not one of"),
    ("model_tripo-v3-1-image-to-3d", {"faceLimit": 10}, "Face Limit must be between 1000 and 500000"),
    ("model_tripo-v3-1-image-to-3d", {"faceLimit": 2500.5}, "Face Limit must be a whole number"),
    ("model_tripo-v3-1-image-to-3d", {"pbr": "yes"}, "PBR must be on or off"),
    ("model_tripo-v3-1-image-to-3d", {"octree": 256}, "has no input named octree"),
    ("model_meshy-7-txt23d", {"prompt": "x" * 601}, "Prompt is 601 characters long; at most 600"),
    ("model_meshy-7-txt23d", {}, "needs Prompt"),
])
def test_a_bad_value_is_refused_with_the_inputs_own_label_before_anything_is_uploaded(
        sandbox, client, tmp_path, png_file, model, values, words):
    images = [png_file] if "img" in model or "image" in model else []
    done = _run(client, tmp_path, model, values, images=images)
    assert done.state is JobState.FAILED and words in done.error, done.error
    assert sandbox.scenario.uploads == 0 and not sandbox.scenario.multipart_uploads
    assert sandbox.scenario.creating_posts == 0


def test_an_either_or_pair_needs_one_of_the_two(sandbox, client, tmp_path):
    mesh = tmp_path / "mesh.glb"
    mesh.write_bytes(make_model_glb(1, face_count=200, texture=False))
    done = _run(client, tmp_path, "model_meshy-7-retexture", {}, mesh=mesh, kind=JobKind.RETEXTURE)
    assert done.state is JobState.FAILED and "needs Style Prompt or Style Image" in done.error


def test_too_many_images_for_a_file_array_are_refused(sandbox, client, tmp_path, views):
    done = _run(client, tmp_path, "model_meshy-7-img23d", {}, images=views + views[:1])
    assert done.state is JobState.FAILED and "Images takes at most 4 file(s); 5 were given" in done.error


# --- jobs on models of different shapes ---------------------------------------------------------------------
def test_image_to_3d_with_separate_maps_in_any_order(sandbox, client, tmp_path, png_file):
    done = _run(client, tmp_path, "model_tripo-v3-1-image-to-3d", {"textureQuality": "detailed"}, images=[png_file])
    assert done.state is JobState.READY, done.error
    assert Path(done.result_paths["MODEL"]).read_bytes()[:4] == b"glTF"
    assert {"BASE_COLOR", "NORMAL", "ROUGHNESS", "METALLIC"} <= set(done.result_paths)
    body = next(iter(sandbox.scenario.jobs.values())).inputs
    assert body["textureQuality"] == "detailed" and body["pbr"] is True  # the model's defaults are sent too
    assert body["image"] in sandbox.scenario.assets
    assert done.cost == cost_of("model_tripo-v3-1-image-to-3d", body) == 40


def test_text_to_3d_takes_the_prompt_for_its_prompt_input(sandbox, client, tmp_path):
    done = _run(client, tmp_path, "model_meshy-7-txt23d", {"topology": "quad"}, prompt="a bronze owl")
    assert done.state is JobState.READY, done.error
    body = next(iter(sandbox.scenario.jobs.values())).inputs
    assert body["prompt"] == "a bronze owl" and body["topology"] == "quad" and sandbox.scenario.uploads == 0


def test_several_views_go_to_the_view_inputs_front_first(sandbox, client, tmp_path, views):
    done = _run(client, tmp_path, "model_hunyuan-3d-pro-3-1-multiview", {}, images=views)
    assert done.state is JobState.READY, done.error
    body = next(iter(sandbox.scenario.jobs.values())).inputs
    sent = {name: sandbox.scenario.assets[body[name]].data for name in ("frontImage", "leftImage", "backImage",
                                                                         "rightImage")}
    assert sent == {name: path.read_bytes() for name, path in zip(sent, views, strict=True)}
    assert done.cost == 120


def test_several_images_fill_a_file_array_and_rodin_is_asked_for_pbr(sandbox, client, tmp_path, views):
    done = _run(client, tmp_path, "model_rodin-hyper3d-v2-5", {}, images=views[:3])
    assert done.state is JobState.READY, done.error
    body = next(iter(sandbox.scenario.jobs.values())).inputs
    assert len(body["images"]) == 3 and body["material"] == "PBR"
    assert not any(name.endswith(".glb") and role != "MODEL" for role, name in done.result_paths.items())


def test_rodins_two_meshes_are_both_kept_and_the_pbr_one_is_the_model(sandbox, client, tmp_path, views):
    done = _run(client, tmp_path, "model_rodin-hyper3d-v2-5", {"material": "All"}, images=views[:1])
    assert done.state is JobState.READY, done.error
    glbs = sorted(Path(path).name for path in done.result_paths.values() if path.endswith(".glb"))
    assert len(glbs) == 2 and Path(done.result_paths["MODEL"]).name == "model.glb"
    shaded = next(asset for asset in sandbox.scenario.assets.values() if asset.name == "model_shaded.glb")
    assert Path(done.result_paths["MODEL"]).read_bytes() != shaded.data  # the PBR mesh, whatever the order


def test_a_mesh_to_retexture_is_uploaded_by_the_multipart_flow(sandbox, client, tmp_path):
    mesh = tmp_path / "mesh.glb"
    mesh.write_bytes(make_model_glb(1, face_count=300, texture=False))
    done = _run(client, tmp_path, "model_meshy-7-retexture", {"textStylePrompt": "mossy stone"}, mesh=mesh,
                kind=JobKind.RETEXTURE)
    assert done.state is JobState.READY, done.error
    (upload,) = sandbox.scenario.multipart_uploads.values()
    assert upload["body"]["kind"] == "3d" and b"".join(upload["parts"].values()) == mesh.read_bytes()
    assert all("authorization" not in headers for method, path, headers in sandbox.request_log
               if path.startswith("/upload-parts/"))  # presigned: our credentials never go there
    body = next(iter(sandbox.scenario.jobs.values())).inputs
    assert sandbox.scenario.assets[body["model"]].kind == "3d"
    assert done.cost == 10


def test_a_remesh_comes_back_as_an_untextured_mesh(sandbox, client, tmp_path):
    mesh = tmp_path / "mesh.glb"
    mesh.write_bytes(make_model_glb(2, face_count=600, texture=False))
    done = _run(client, tmp_path, "model_meshy-remesh", {"targetPolycount": 500}, mesh=mesh, kind=JobKind.RETEXTURE)
    assert done.state is JobState.READY and done.cost == 5


def test_the_estimate_prices_the_complete_body_for_any_model(sandbox, client, tmp_path, png_file):
    params = {"model": "model_tripo-v3-1-image-to-3d", "inputs": {"textureQuality": "extreme"}}
    cost = client.estimate(params, {"image_path": str(png_file), "work_dir": str(tmp_path)})
    assert cost == 50 and sandbox.scenario.dry_runs == 1 and sandbox.scenario.creating_posts == 0


def test_a_retired_model_is_refused_with_its_successor(sandbox, client, tmp_path, png_file):
    done = _run(client, tmp_path, "model_tripo-v2-5-image-to-3d", {}, images=[png_file])
    assert done.state is JobState.FAILED and "use model_tripo-v3-1-image-to-3d instead" in done.error


# --- the sandbox is as strict as the service ----------------------------------------------------------------
def test_the_sandbox_refuses_what_scenario_refuses():
    tripo = next(model for model in MODELS if model["id"] == "model_tripo-v3-1-image-to-3d")
    assets = {"asset_img": "image", "asset_mesh": "3d"}
    assert check_body(tripo, {"image": "asset_img"}, assets) is None
    assert "Unknown input" in check_body(tripo, {"image": "asset_img", "texture_quality": "standard"}, assets)
    assert "must be a image asset" in check_body(tripo, {"image": "asset_mesh"}, assets)
    assert "uploaded asset" in check_body(tripo, {"image": "/home/me/photo.png"}, assets)
    assert "image is required" in check_body(tripo, {"texture": True}, assets)
    assert "whole number" in check_body(tripo, {"image": "asset_img", "faceLimit": 1500.5}, assets)
    assert "one of" in check_body(tripo, {"image": "asset_img", "textureQuality": "Standard"}, assets)


def test_hostile_schemas_are_bounded_and_odd_inputs_skipped():
    raw = {"id": "model_x", "capabilities": ["img23d"], "inputs": [
        {"name": "ok", "type": "number", "min": 0, "max": float("inf")},
        {"name": "../../etc", "type": "string"}, {"name": "weird", "type": "matrix"}, "not a dict",
        {"name": "long", "type": "string", "label": "L" * 10_000, "allowedValues": list(range(5000))}]}
    model = catalog.parse_model(json.loads(json.dumps(raw, allow_nan=True)))
    assert [item.name for item in model.inputs] == ["ok", "long"]
    assert model.input("ok").max is None  # an infinite bound is no bound
    assert len(model.input("long").label) <= 80 and len(model.input("long").choices) == catalog.MAX_CHOICES
    assert catalog.parse_model({"id": "model_../../x"}) is None


def test_values_refused_without_a_schema():
    with pytest.raises(E.InvalidInputError, match="not known yet"):
        catalog_values.check_values(catalog.CatalogModel(id="model_y"), {}, {})


def test_a_lost_creating_answer_for_a_catalog_job_is_found_never_resent(sandbox, client, tmp_path, png_file):
    other = _run(client, tmp_path / "other", "model_tripo-v3-1-image-to-3d", {"faceLimit": 3000}, images=[png_file])
    assert other.state is JobState.READY  # a job of the same model, with other values, already in the list
    sandbox.arm("lose_answer", path_contains="/generate/custom/model_tripo", method="POST", count=1)
    done = _run(client, tmp_path, "model_tripo-v3-1-image-to-3d", {"faceLimit": 12345}, images=[png_file])
    assert done.state is JobState.READY and sandbox.scenario.creating_posts == 2  # one each: never resent
    assert done.remote_id != other.remote_id
    assert sandbox.scenario.jobs[done.remote_id].inputs["faceLimit"] == 12345
