"""Sidebar panels: the Generate form with its parameters, and the job list with progress and actions."""

from __future__ import annotations

import unicodedata

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.types import Panel, UIList

from ..host import preferences
from ..host.joblist import PAGE_SIZE
from ..i18n.translations import translate_message
from ..net import errors as E
from ..operators.generate import blocker
from ..providers import registry
from .agent import draw_agent
from .settings_drawer import draw_inputs, draw_parameters_panel, draw_price, draw_reference_image

_STATE_ICONS = {
    "PENDING": "TIME", "SUBMITTING": "EXPORT", "QUEUED": "SORTTIME", "RUNNING": "PLAY",
    "DOWNLOADING": "IMPORT", "READY": "CHECKBOX_HLT", "IMPORTED": "CHECKMARK", "FAILED": "ERROR",
    "CANCELED": "CANCEL", "UNKNOWN": "QUESTION",
}
_ACTIVE_STATES = {"PENDING", "SUBMITTING", "QUEUED", "RUNNING", "DOWNLOADING"}


def draw_fix(layout: bpy.types.UILayout, fix: str) -> None:
    """The button that fixes an error, when there is one."""
    if fix == "ENABLE_ONLINE_ACCESS":
        layout.operator("meshsmith.enable_online_access", icon="WORLD")
    elif fix == "OPEN_PREFERENCES":
        layout.operator("meshsmith.open_preferences", icon="PREFERENCES")


def draw_blocker(layout: bpy.types.UILayout, reason: str, fix: str = "NONE") -> None:
    """Why a button is disabled, with the button that fixes it when the reason carries one (never guessed from words)."""
    box = layout.box()
    box.label(text=translate_message(reason), icon="INFO", translate=False)
    draw_fix(box, fix)


def draw_balance(layout: bpy.types.UILayout, state, info: registry.ProviderInfo) -> bpy.types.UILayout | None:
    """The account's balance with its refresh button, for a service that tells it; the row drawn, or None."""
    if not info.balance:
        return None
    _method, field, text = info.balance
    row = layout.row(align=True)
    row.label(text=iface_(text).format(getattr(state, field) or "?"), translate=False)
    row.operator("meshsmith.refresh_credits", text="", icon="FILE_REFRESH").provider = info.id
    return row


def catalog_default() -> str:
    from ..providers.scenario.catalog import DEFAULT_MODEL

    return DEFAULT_MODEL


def current_params(context: bpy.types.Context, info: registry.ProviderInfo, route: str = "GENERATE") -> dict | None:
    """The job parameters the sidebar's settings make now (None when they cannot make a job yet)."""
    settings = context.scene.meshsmith.provider_settings(info.id)
    if not info.catalog or route == "GENERATE" and settings.model == catalog_default():
        return settings.as_params()
    from ..host.catalog import jobs as catalog_jobs

    try:
        return catalog_jobs.params_for(context, info.id, route)
    except E.MeshsmithError:
        return None


class VIEW3D_PT_meshsmith_generate(Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshsmith"
    bl_label = "Generate"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.meshsmith
        layout.prop(settings, "provider", text="")

        info = registry.info(settings.provider)
        takes_image, takes_prompt = True, info.takes_prompt
        if info.catalog:
            from ..host.catalog import jobs as catalog_jobs
            from .catalog_drawer import draw_catalog

            draw_catalog(layout, context, info, "GENERATE")
            takes_image = catalog_jobs.takes_image(context, info.id)
            takes_prompt = catalog_jobs.takes_prompt(context, info.id)
        if takes_image:
            draw_reference_image(layout, settings)
        if takes_prompt:  # only what the chosen service uses
            layout.prop(settings, "prompt")
        if not info.catalog or settings.provider_settings(info.id).model == catalog_default():
            draw_parameters_panel(layout, context, info, "GENERATE")

        reason, fix = blocker(context, settings.provider)
        row = layout.row()
        row.scale_y = 1.5
        row.enabled = not reason
        state = context.window_manager.meshsmith
        label = iface_("Generate")
        if info.estimate:
            from ..operators.jobs import estimate_key

            field, unit = info.estimate
            quoted = getattr(state, field)
            params = current_params(context, info)
            if quoted and params is not None and getattr(state, f"{field}_key") == estimate_key(params):
                label = iface_("Generate ({} {})").format(quoted, unit)
        op = row.operator("meshsmith.generate", text=label, icon="MESH_MONKEY", translate=False)
        op.provider = settings.provider
        if info.estimate:
            row.operator("meshsmith.estimate_cost", text="", icon="FUND").provider = settings.provider
        if reason:
            draw_blocker(layout, reason, fix)
        draw_balance(layout, state, info)
        if state.last_error:
            layout.label(text=translate_message(state.last_error), icon="ERROR", translate=False)
        if preferences.get(context).use_sandbox:
            layout.label(text="Sandbox: nothing is sent or charged.", icon="EXPERIMENTAL")

class VIEW3D_PT_meshsmith_retexture(Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshsmith"
    bl_label = "Retexture"

    def draw(self, context: bpy.types.Context) -> None:
        from ..operators.retexture import retexture_blocker

        layout = self.layout
        settings = context.scene.meshsmith
        obj = context.active_object
        layout.label(text=iface_("Mesh: {}").format(obj.name) if obj is not None and obj.type == "MESH"
                     else iface_("Select a mesh object"), icon="MESH_DATA", translate=False)
        if len(registry.retexturers()) > 1:
            layout.prop(settings, "retexture_provider", text="")
        info = registry.info(settings.retexture_provider)
        if info.catalog:
            from .catalog_drawer import draw_catalog

            draw_catalog(layout, context, info, "RETEXTURE")
        draw_inputs(layout, context, info, "RETEXTURE")
        draw_parameters_panel(layout, context, info, "RETEXTURE", title="Options", closed=True, only_options=True)
        layout.prop(settings, "bake_resolution")  # used when a result comes back as a mesh of its own
        draw_price(layout, context, info)
        reason, fix = retexture_blocker(context)
        row = layout.row()
        row.scale_y = 1.5
        row.enabled = not reason
        label = iface_("Retexture")
        state = context.window_manager.meshsmith
        if info.estimate and info.catalog:  # a catalog model prices its job on the mesh too
            from ..operators.jobs import estimate_key

            field, unit = info.estimate
            quoted, params = getattr(state, field), current_params(context, info, "RETEXTURE")
            if quoted and params is not None and getattr(state, f"{field}_key") == estimate_key(params):
                label = iface_("Retexture ({} {})").format(quoted, unit)
        row.operator("meshsmith.retexture", text=label, icon="BRUSH_DATA", translate=False).provider = info.id
        if info.estimate and info.catalog:
            estimate = row.operator("meshsmith.estimate_cost", text="", icon="FUND")
            estimate.provider, estimate.route = info.id, "RETEXTURE"
        if reason:
            draw_blocker(layout, reason, fix)
        row = draw_balance(layout, context.window_manager.meshsmith, info)
        if info.lists_tasks:
            (row or layout).operator("meshsmith.fetch_meshy_tasks", text="", icon="IMPORT").provider = info.id
        if preferences.in_test_mode(info.id, context) and not preferences.get(context).use_sandbox:
            layout.label(text=info.test_mode[3], icon="EXPERIMENTAL")


class VIEW3D_PT_meshsmith_tweak(Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshsmith"
    bl_label = "Tweak Result"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        obj = context.active_object
        if obj is None or obj.type != "MESH":
            layout.label(text="Select a mesh object")
            return
        col = layout.column(align=True)
        col.operator("meshsmith.place_on_ground", icon="TRIA_DOWN_BAR")
        col.operator("meshsmith.normalise_size", icon="FULLSCREEN_ENTER")
        col.operator("meshsmith.fix_orientation", icon="ORIENTATION_GIMBAL")
        col.operator("meshsmith.shade_auto_smooth", icon="SHADING_SOLID")
        col.operator("meshsmith.merge_by_distance", icon="AUTOMERGE_OFF")
        col.operator("meshsmith.decimate", icon="MOD_DECIM")
        col.operator("meshsmith.pack_textures", icon="PACKAGE")
        col.operator("meshsmith.mark_asset", icon="ASSET_MANAGER")
        row = layout.row(align=True)
        row.operator_menu_enum("meshsmith.apply_preset", "preset", text="Apply Preset", icon="PRESET")


def age_text(created_at: float, now: float | None = None) -> str:
    """'just now', '5 min', '3 h', '2 d': how long ago a job was made."""
    import time

    seconds = max(0.0, (now or time.time()) - created_at)
    if seconds < 60:
        return iface_("just now")
    if seconds < 3600:
        return iface_("{} min").format(int(seconds // 60))
    if seconds < 86400:
        return iface_("{} h").format(int(seconds // 3600))
    return iface_("{} d").format(int(seconds // 86400))


class MESHSMITH_UL_jobs(UIList):
    """One page of the job history; the search and filters above the list choose the page's jobs (from the store)."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0):
        from .thumbnails import icon_for

        row = layout.row(align=True)
        preview = icon_for(item.job_id, item.preview_path)
        if preview:
            row.label(text="", icon_value=preview)
        row.label(text=item.label or item.job_id[:8], icon=_STATE_ICONS.get(item.state, "DOT"))
        if item.state in _ACTIVE_STATES:
            row.progress(factor=item.progress, type="RING", text="")
        else:
            row.label(text=age_text(item.created_at), translate=False)

    def draw_filter(self, context, layout):
        pass  # the search and filters sit above the list: they choose what the store is asked for

    def filter_items(self, context, data, propname):
        return [], []  # every row of the page is shown; the page is already the filtered one


def is_filtered(state) -> bool:
    """Whether a search or a filter narrows the job list (the list offers to clear them)."""
    return bool(state.job_search) or any(value != "ALL" for value in (state.job_provider, state.job_state, state.job_age))


def draw_job_search(layout: bpy.types.UILayout, state) -> None:
    """Search, filters and the page: what part of the job history the list shows."""
    col = layout.column(align=True)
    row = col.row(align=True)
    row.prop(state, "job_search", text="", icon="VIEWZOOM")
    if is_filtered(state):
        row.operator("meshsmith.clear_job_search", text="", icon="X")
    row = col.row(align=True)
    row.prop(state, "job_provider", text="")
    row.prop(state, "job_state", text="")
    row.prop(state, "job_age", text="")
    if state.job_matches > PAGE_SIZE or state.job_page:
        first = state.job_page * PAGE_SIZE + 1
        last = min(state.job_matches, first + PAGE_SIZE - 1)
        row = layout.row(align=True)
        row.operator("meshsmith.job_list_page", text="", icon="REW").page = "FIRST"
        row.operator("meshsmith.job_list_page", text="", icon="TRIA_LEFT").page = "PREVIOUS"
        total = f"{state.job_matches:,}+" if state.job_matches_more else f"{state.job_matches:,}"
        row.label(text=iface_("{}–{} of {}").format(first, last, total), translate=False)
        row.operator("meshsmith.job_list_page", text="", icon="TRIA_RIGHT").page = "NEXT"
        row.operator("meshsmith.job_list_page", text="", icon="FF").page = "LAST"


class VIEW3D_PT_meshsmith_jobs(Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshsmith"
    bl_label = "Jobs"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        state = context.window_manager.meshsmith
        if state.journal_warning:
            col = layout.column(align=True)
            col.alert = True
            for number, line in enumerate(_wrap(translate_message(state.journal_warning), 48)):
                col.label(text=line, icon="ERROR" if number == 0 else "BLANK1", translate=False)
        draw_agent(layout)
        if not state.jobs and not is_filtered(state) and not state.job_page:
            layout.label(text="No jobs yet.")
            return
        draw_job_search(layout, state)
        if not state.jobs:
            layout.label(text="No jobs match.")
            return
        layout.template_list("MESHSMITH_UL_jobs", "", state, "jobs", state, "active_job_index", rows=3)
        if not 0 <= state.active_job_index < len(state.jobs):
            return
        item = state.jobs[state.active_job_index]
        box = layout.box()
        box.label(text=f"{item.provider.title()}: {item.label}", translate=False)
        message = translate_message(item.message)
        if item.state in _ACTIVE_STATES:
            box.progress(factor=item.progress, text=iface_("{} ({}%)").format(message, int(item.progress * 100)),
                         translate=False)
        elif item.message:
            box.label(text=message, translate=False)
        if item.error:
            col = box.column(align=True)
            col.alert = True
            for line in _wrap(translate_message(item.error), 48):
                col.label(text=line, translate=False)
            draw_fix(box, item.fix)
        if item.warning:
            col = box.column(align=True)
            for number, line in enumerate(_wrap(translate_message(item.warning), 48)):
                col.label(text=line, icon="ERROR" if number == 0 else "BLANK1", translate=False)
        details = box.column(align=True)
        from .thumbnails import icon_for

        preview = icon_for(item.job_id, item.preview_path)
        if preview:
            details.template_icon(icon_value=preview, scale=5.0)
        if item.prompt:
            details.label(text=iface_("Input: {}").format(item.prompt[:60]), translate=False)
        if item.ran_on:
            details.label(text=iface_("Server: {}").format(item.ran_on), translate=False)
        if item.started_by == "agent":
            details.label(text="Started by an agent", icon="LINKED")
        if item.seed:
            details.label(text=iface_("Seed: {}").format(item.seed), translate=False)
        if item.cost:
            details.label(text=iface_("Cost: {}").format(item.cost), translate=False)
        details.label(text=iface_("{}, {}").format(iface_(item.state.title()), age_text(item.created_at)), translate=False)
        row = box.row(align=True)
        if item.state in _ACTIVE_STATES:
            row.operator("meshsmith.cancel_job", icon="CANCEL").job_id = item.job_id
        if item.state == "READY":
            row.operator("meshsmith.import_job", icon="IMPORT").job_id = item.job_id
            if item.kind == "RETEXTURE":
                as_new = row.operator("meshsmith.import_job", text="Import as New Object", icon="ADD")
                as_new.job_id, as_new.as_new_object = item.job_id, True
        if item.recoverable:
            row.operator("meshsmith.retry_fetch", icon="FILE_REFRESH").job_id = item.job_id
        if item.state in ("UNKNOWN", "FAILED"):
            row.operator("meshsmith.submit_again", icon="RECOVER_LAST").job_id = item.job_id
        if item.state == "IMPORTED":
            row.operator("meshsmith.reimport_job", icon="IMPORT").job_id = item.job_id
        if item.state in ("IMPORTED", "READY", "FAILED", "CANCELED"):
            row = box.row(align=True)
            row.operator("meshsmith.regenerate_job", icon="FILE_REFRESH").job_id = item.job_id
            row.operator("meshsmith.job_variations", icon="MOD_ARRAY").job_id = item.job_id
        row = box.row(align=True)
        row.operator("meshsmith.open_job_folder", text="", icon="FILE_FOLDER").job_id = item.job_id
        row.operator("meshsmith.copy_job_id", icon="COPYDOWN").job_id = item.job_id
        row.operator("meshsmith.dismiss_job", icon="X").job_id = item.job_id


def _columns(text: str) -> int:
    """How many columns ``text`` takes: Chinese characters are about twice as wide as Latin letters."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pieces(word: str, width: int):
    """``word`` in runs of at most ``width`` columns (text without spaces, such as Chinese, is one long word)."""
    piece, used = "", 0
    for char in word:
        wide = _columns(char)
        if piece and used + wide > width:
            yield piece
            piece, used = "", 0
        piece, used = piece + char, used + wide
    if piece:
        yield piece


def _wrap(text: str, width: int) -> list[str]:
    """At most six lines of about ``width`` columns, broken at spaces where there are any."""
    lines, line = [], ""
    for word in text.split():
        for piece in _pieces(word, width):
            candidate = f"{line} {piece}" if line else piece
            if line and _columns(candidate) > width:
                lines.append(line)
                line = piece
            else:
                line = candidate
    if line:
        lines.append(line)
    return lines[:6]


classes = (VIEW3D_PT_meshsmith_generate, VIEW3D_PT_meshsmith_retexture, MESHSMITH_UL_jobs, VIEW3D_PT_meshsmith_jobs,
           VIEW3D_PT_meshsmith_tweak)


register, unregister = bpy.utils.register_classes_factory(classes)
