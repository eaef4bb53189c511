"""Draw a provider's settings from its schema: the sidebar never lists a provider's properties by hand.

Each ``Param`` of the provider's registry entry is drawn in order when its ``when``/``unless`` rules hold,
greyed out unless its ``enabled_when`` rule holds; image inputs get Blender's image selector. Reads only
the scene's settings: cheap enough for every redraw.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import bpy
from bpy.app.translations import pgettext_iface as iface_

from ..i18n.translations import translate_message
from ..providers import registry, schema


def draw_reference_image(layout: bpy.types.UILayout, settings) -> None:
    """The scene's reference image: an image already in Blender, or a file."""
    col = layout.column(align=True)
    col.label(text="Reference Image")
    col.template_ID(settings, "image", open="image.open")
    if settings.image is None:
        col.prop(settings, "image_path", text="")
    elif settings.image.preview is not None:
        col.template_icon(icon_value=settings.image.preview.icon_id, scale=5.0)


def draw_params(layout: bpy.types.UILayout, group, params, scene_settings=None) -> None:
    """Draw these settings of ``group`` (a provider's settings), those whose rules say they apply."""
    col = layout.column(align=True)
    for param in params:
        if not schema.shown(param, group):
            continue
        if param.kind == "reference":
            if scene_settings is not None:
                draw_reference_image(col, scene_settings)
            continue
        row = col.row(align=True)
        row.enabled = schema.enabled(param, group)
        if param.kind == "image":
            row.template_ID(group, param.name, open="image.open")
        elif param.bare:
            row.prop(group, param.name, text="")
        else:
            row.prop(group, param.name)


def draw_parameters_panel(layout: bpy.types.UILayout, context: bpy.types.Context, provider: registry.ProviderInfo,
                          route: schema.Route, *, title: str = "Parameters", closed: bool = False,
                          only_options: bool = False) -> None:
    """A collapsible panel of the provider's settings for a route (``only_options``: those marked as options)."""
    group = context.scene.meshsmith.provider_settings(provider.id)
    params = [param for param in schema.for_route(provider.settings, route)
              if (param.options or not only_options) and param.kind != "reference"]
    if not params:
        return
    header, body = layout.panel(f"meshsmith_{provider.key}_{title.lower()}", default_closed=closed)
    header.label(text=title)
    if body is not None:
        if provider.self_hosted and route == "GENERATE":
            draw_server_versions(body, context, provider)
        draw_params(body, group, params)


def draw_server_versions(layout: bpy.types.UILayout, context: bpy.types.Context,
                         provider: registry.ProviderInfo) -> None:
    """Which settings each of the artist's servers honours, for the servers whose version is known (2.1 servers
    use the image only). Reads what this session learned; never asks the servers."""
    from ..host import connections, preferences

    col = layout.column(align=True)
    for server in (part.strip().rstrip("/") for part in preferences.base_url(provider.id, context).split(",")):
        version = connections.server_states().state_of(server).version if server else ""
        if version == "2.1":
            col.label(text=iface_("{}: Hunyuan3D-2.1, uses the image only").format(urlsplit(server).netloc),
                      icon="INFO", translate=False)
        elif version == "2.0":
            col.label(text=iface_("{}: Hunyuan3D-2.0, uses every setting").format(urlsplit(server).netloc),
                      icon="CHECKMARK", translate=False)


def draw_inputs(layout: bpy.types.UILayout, context: bpy.types.Context, provider: registry.ProviderInfo,
                route: schema.Route) -> None:
    """The provider's main inputs for a route (not its options), then the notices whose rules hold."""
    group = context.scene.meshsmith.provider_settings(provider.id)
    draw_params(layout, group, [param for param in schema.for_route(provider.settings, route) if not param.options],
                context.scene.meshsmith)
    draw_notices(layout, group, provider)


def draw_notices(layout: bpy.types.UILayout, group, provider: registry.ProviderInfo) -> None:
    for notice in provider.notices:
        if schema.holds(notice.when, group):
            box = layout.box()
            box.label(text=translate_message(notice.text), icon="INFO", translate=False)
    if getattr(group, "settings_note", ""):  # said once: until the artist dismisses it
        row = layout.box().row()
        row.label(text=translate_message(group.settings_note), icon="INFO", translate=False)
        row.operator("meshsmith.dismiss_settings_note", text="", icon="X").provider = provider.id


def draw_price(layout: bpy.types.UILayout, context: bpy.types.Context, provider: registry.ProviderInfo) -> None:
    """The known price of a job with the current settings, for a provider that publishes its prices."""
    if provider.price is None:
        return
    price = provider.price(context.scene.meshsmith.provider_settings(provider.id))
    if price is not None:
        cost = f"{price:g} {iface_(provider.price_unit)}"
        layout.label(text=iface_("Cost: {}").format(cost), icon="FUND", translate=False)
