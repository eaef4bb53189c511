"""Child process for test_provider_from_tests.py: a fresh Blender in which the example provider (tests/example_provider)
is mounted and registered before the add-on is enabled, exactly as a studio would add one. It reports, as one JSON
line on stdout, what the add-on made of it: preferences, scene settings, the sidebar's settings drawer, the provider
menus, the translation table, and a CLI batch run against the sandbox.

Usage: python example_child.py REPO USER_RESOURCES IMAGES OUT
"""

import importlib
import json
import os
import sys
from pathlib import Path

repo, user, images, out = sys.argv[1:5]
sys.path[:0] = [repo, str(Path(repo) / "tests")]
from tools.blender_env import MODULE_NAME, enable_addon, prepare_user_resources  # noqa: E402

prepare_user_resources(Path(user))
os.environ["MESHSMITH_USER_DIR"] = str(Path(user) / "meshsmith-data")
os.environ["MESHSMITH_POLL_INTERVAL"] = "0.1"
import bpy  # noqa: E402  (first: Blender's own modules are importable only after it)

addon_utils = importlib.import_module("addon_utils")
addon_utils.modules(refresh=True)  # sets up the extension repositories' packages (bl_ext.*)
mount = importlib.import_module("example_mount").mount
importlib.import_module(MODULE_NAME)  # the add-on's package, not yet enabled
info = mount(MODULE_NAME)  # the one registry line
enable_addon(online=True)


def module(name):
    return importlib.import_module(f"{MODULE_NAME}.{name}")


class Recording:
    """A stand-in for a panel's layout: records every property drawn and every label."""

    def __init__(self, log):
        self.log = log
        self.enabled = self.active = self.alert = True
        self.use_property_split = self.use_property_decorate = False

    def __getattr__(self, name):
        def call(*args, **kwargs):
            if name == "prop" and len(args) >= 2:
                self.log.append(("prop", args[1]))
            elif name == "label":
                self.log.append(("label", kwargs.get("text", "")))
            elif name == "panel":
                return Recording(self.log), Recording(self.log)
            return Recording(self.log)
        return call


report = {}
prefs = module("host.preferences").get()
report["preference"] = hasattr(prefs, "example_api_key")
drawn = []
module("panels.preferences").MeshsmithPreferences.draw(type("P", (), {"layout": Recording(drawn), **{
    name: getattr(prefs, name) for name in dir(prefs) if not name.startswith("_") and not callable(getattr(prefs, name))}})(),
    bpy.context)
report["preference_drawn"] = ("prop", "example_api_key") in drawn
settings = bpy.context.scene.meshsmith.provider_settings("EXAMPLE")
report["scene_settings"] = {"detail_steps": settings.detail_steps, "smooth": settings.smooth}
drawn = []
registry = module("providers.registry")
module("panels.settings_drawer").draw_inputs(Recording(drawn), bpy.context, registry.info("EXAMPLE"), "GENERATE")
module("panels.settings_drawer").draw_parameters_panel(Recording(drawn), bpy.context, registry.info("EXAMPLE"),
                                                        "GENERATE")
report["settings_drawn"] = sorted({name for kind, name in drawn if kind == "prop" and name in ("detail_steps", "smooth")})
report["generate_menu"] = "EXAMPLE" in [item[0] for item in registry.enum_items(registry.generators(), "generates")]
report["translation"] = module("i18n.translations")._table()["zh_HANS"].get(("*", "Detail Steps"))
cli = module("scripting.cli")
report["cli_choices"] = "EXAMPLE" in cli.parser()._subparsers._group_actions[0].choices["generate"]._option_string_actions[
    "--provider"].choices
settings.detail_steps = 33
report["cli_exit"] = cli.main(["generate", images, "--out", out, "--provider", "EXAMPLE", "--sandbox"])
sandbox = module("host.runtime").sandbox()
simulator = sandbox.attach(importlib.import_module(info.simulator))
report["created"] = simulator.creating_posts
report["sent_steps"] = [job["body"]["detail_steps"] for job in simulator.config.jobs.values()]
print("REPORT " + json.dumps(report), flush=True)
sys.stdout.flush()
os._exit(0)
