"""A self-hosted Hunyuan3D server from Blender, against the built-in sandbox's simulated 2.0 server: generate
through the registry's generic path, the settings drawn from the schema, retexture baked onto the object."""

from __future__ import annotations

import socket

import bpy

from blender_helpers import drain_until, submodule


def test_generate_on_a_self_hosted_server(sandbox_of_addon, png_file):
    settings = bpy.context.scene.meshsmith.hunyuan_server
    settings.octree_resolution, settings.seed, settings.timeout_s = 384, 7, 60
    assert bpy.ops.meshsmith.generate(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    obj = bpy.context.active_object
    assert obj["meshsmith_provider"] == "HUNYUAN_SERVER" and obj.material_slots
    body = next(iter(sandbox_of_addon.hunyuan_server.jobs.values())).body
    assert body["octree_resolution"] == 384 and body["seed"] == 7 and "timeout_s" not in body
    assert not body["image"].startswith("data:")
    assert obj["meshsmith_seed"] == "7"  # text for every provider (a small seed too), as Segmind's


def test_a_random_seed_past_32_bits_is_text_as_every_seed_is(sandbox_of_addon, png_file, monkeypatch):
    import random

    bpy.context.scene.meshsmith.hunyuan_server.seed = -1
    monkeypatch.setattr(random.SystemRandom, "randint", lambda self, low, high: high)
    assert bpy.ops.meshsmith.generate(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    assert bpy.context.active_object["meshsmith_seed"] == str(2 ** 32 - 1)


def test_retexture_on_a_2_0_server_is_baked_onto_the_object(sandbox_of_addon, png_file):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=24, ring_count=12)
    obj = bpy.context.active_object
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    vertices = len(obj.data.vertices)
    assert bpy.ops.meshsmith.retexture(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    assert len(obj.data.vertices) == vertices and obj.material_slots[0].material.name.endswith("Hunyuan_Server")
    assert len(submodule("mesh_io.versions").versions(obj)) == 2


def test_fifty_steps_for_a_2_0_servers_full_model_are_kept(sandbox_of_addon, png_file):
    settings = bpy.context.scene.meshsmith.hunyuan_server
    settings.num_inference_steps = 50  # 2.1's limit (20) is no longer applied to every server
    assert settings.num_inference_steps == 50
    assert bpy.ops.meshsmith.generate(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    assert next(iter(sandbox_of_addon.hunyuan_server.jobs.values())).body["num_inference_steps"] == 50


def test_without_a_server_address_the_button_says_what_to_add(blender):
    submodule("host.preferences").get().use_sandbox = False
    reason, fix = submodule("operators.generate").blocker(bpy.context, "HUNYUAN_SERVER")
    assert "Hunyuan3D server's address" in reason and fix == "OPEN_PREFERENCES"


def test_a_seed_past_blenders_integer_range_is_kept_as_text():
    tag_value = submodule("mesh_io.importer").tag_value
    assert tag_value(2 ** 32 - 1) == "4294967295" and tag_value(7) == 7 and tag_value(True) is True
    obj = bpy.data.objects.new("Probe", None)
    obj["meshsmith_seed"] = tag_value(2 ** 32 - 1)  # an int there would raise OverflowError


def _drawn_preferences(log: list[str]):
    from test_register_and_panels import RecordingLayout

    real = submodule("host.preferences").get()

    class DrawnPreferences:
        layout = RecordingLayout(log)

        def __getattr__(self, name):
            return getattr(real, name)

    return DrawnPreferences()


def _list_servers(*entries: tuple[str, str, str]) -> None:
    prefs = submodule("host.preferences").get()
    prefs.use_sandbox = False
    for url, label, token in entries:
        bpy.ops.meshsmith.add_server(provider="HUNYUAN_SERVER")
        entry = prefs.hunyuan_server_servers[prefs.hunyuan_server_servers_index]
        entry.url, entry.label, entry.token = url, label, token


def test_servers_listed_in_the_preferences_are_where_jobs_go(blender, sandbox, png_file):
    second = sandbox.add_hunyuan_server(enable_tex=True)
    _list_servers((sandbox.hunyuan_server.url, "Left GPU", ""), (second.url, "", "proxy-token-789"),
                  ("http://unused:8081", "off", ""))
    prefs = submodule("host.preferences")
    prefs.get().hunyuan_server_servers[2].use = False  # unticked: not used
    assert prefs.base_url("HUNYUAN_SERVER") == f"{sandbox.hunyuan_server.url}, {second.url}"
    assert prefs.server_tokens("HUNYUAN_SERVER") == {second.url: "proxy-token-789"}
    bpy.context.scene.meshsmith.hunyuan_server.timeout_s = 60
    assert bpy.ops.meshsmith.generate(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    item = bpy.context.window_manager.meshsmith.jobs[0]
    host = sandbox.hunyuan_server.url.split("//")[1].split("/")[0]
    assert item.ran_on == f"Left GPU ({host})"  # the first idle server, by the artist's label
    bpy.context.window_manager.meshsmith.active_job_index = 0
    from test_register_and_panels import draw

    assert f"Server: Left GPU ({host})" in draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_jobs)


def test_the_test_button_reports_each_servers_state_and_marks_plain_http(blender, sandbox):
    server_21 = sandbox.add_hunyuan_server("2.1")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    _list_servers((sandbox.hunyuan_server.url, "", ""), (server_21.url, "", ""), (dead, "", ""),
                  ("http://gpu-box.studio.lan:8081", "", ""))
    servers = submodule("panels.servers")
    states = submodule("host.connections").server_states()
    assert servers.state_text(sandbox.hunyuan_server.url)[0] == "Not checked yet"
    prefs = submodule("host.preferences").get()
    prefs.hunyuan_server_servers[3].use = False  # not tested below: it would wait for a name that does not resolve
    prefs.hunyuan_server_servers.remove(3)
    assert bpy.ops.meshsmith.test_servers(provider="HUNYUAN_SERVER", index=-1) == {"FINISHED"}
    drain_until(blender, lambda: all(states.state_of(url).reachable is not None
                                      for url in (sandbox.hunyuan_server.url, server_21.url, dead)))
    # A 2.0 server has no /health: its version is assumed, and the list says so.
    assert servers.state_text(sandbox.hunyuan_server.url) == ("Hunyuan3D-2.0 (assumed), idle", "CHECKMARK")
    assert servers.state_text(server_21.url) == ("Hunyuan3D-2.1, idle", "CHECKMARK")
    assert servers.state_text(dead) == ("Not answering", "ERROR") and states.state_of(dead).problem
    assert not servers.is_unencrypted(sandbox.hunyuan_server.url)  # this computer: nothing crosses a network
    assert servers.is_unencrypted("http://gpu-box.studio.lan:8081")
    assert not servers.is_unencrypted("https://gpu-box.studio.lan")
    # The preferences draw the list, the selected server's fields and what the last test found.
    prefs.hunyuan_server_servers_index = 1
    log: list[str] = []
    submodule("panels.preferences").MeshsmithPreferences.draw(_drawn_preferences(log), bpy.context)
    assert "Hunyuan3D Servers" in log and "Test" in log and "Test All" in log
    assert any("uses the image only" in line for line in log)
    prefs.hunyuan_server_servers_index = 0
    log.clear()
    submodule("panels.preferences").MeshsmithPreferences.draw(_drawn_preferences(log), bpy.context)
    assert any(line.startswith("No /health on this server: taken for Hunyuan3D-2.0") for line in log)
    # A row of the list, as Blender's UIList draws it.
    row_log: list[str] = []
    from test_register_and_panels import RecordingLayout

    servers.MESHSMITH_UL_servers.draw_item(None, bpy.context, RecordingLayout(row_log), prefs,
                                           prefs.hunyuan_server_servers[2], 0, prefs, "", 2)
    assert dead in row_log and "Not answering" in row_log


def test_remove_server_keeps_the_selection_in_range(blender):
    _list_servers(("http://127.0.0.1:1", "", ""), ("http://127.0.0.1:2", "", ""))
    prefs = submodule("host.preferences").get()
    assert bpy.ops.meshsmith.remove_server(provider="HUNYUAN_SERVER") == {"FINISHED"}
    assert [entry.url for entry in prefs.hunyuan_server_servers] == ["http://127.0.0.1:1"]
    assert prefs.hunyuan_server_servers_index == 0


def test_a_result_without_the_texture_asked_for_is_imported_with_a_warning(sandbox_of_addon, png_file):
    server = sandbox_of_addon.add_hunyuan_server("2.1", paint_bare_next=1)
    submodule("host.preferences").get().use_sandbox = False
    _list_servers((server.url, "", ""))
    bpy.context.scene.meshsmith.hunyuan_server.timeout_s = 60
    assert bpy.ops.meshsmith.generate(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    obj = bpy.context.active_object
    assert obj["meshsmith_provider"] == "HUNYUAN_SERVER"
    item = bpy.context.window_manager.meshsmith.jobs[0]
    assert item.state == "IMPORTED" and "without a texture" in item.warning
    from test_register_and_panels import draw

    assert any("without a texture" in line for line in draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_jobs))
    outcome = submodule("operators.generate").job_outcome(submodule("host.runtime").engine().get(item.job_id))
    assert outcome[1] == "WARNING" and "--enable_tex" in outcome[2]
