"""Moving through the job list's pages and clearing its search (the list shows one page of the history)."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty
from bpy.types import Operator

from ..host import joblist, runtime


class MESHSMITH_OT_job_list_page(Operator):
    """Show another page of the job history"""

    bl_idname = "meshsmith.job_list_page"
    bl_label = "Job List Page"
    bl_options = {"INTERNAL"}

    page: EnumProperty(items=[("FIRST", "First", "The newest jobs"), ("PREVIOUS", "Previous", "Newer jobs"),
                              ("NEXT", "Next", "Older jobs"), ("LAST", "Last", "The oldest jobs")],
                       default="NEXT", options={"SKIP_SAVE"})

    @classmethod
    def description(cls, context, properties):
        return {"FIRST": "Show the newest jobs", "PREVIOUS": "Show newer jobs", "NEXT": "Show older jobs",
                "LAST": "Show the oldest jobs"}[properties.page]

    def execute(self, context):
        state = context.window_manager.meshsmith
        last = max(0, (state.job_matches - 1) // joblist.PAGE_SIZE)
        wanted = {"FIRST": 0, "PREVIOUS": state.job_page - 1, "NEXT": state.job_page + 1, "LAST": last}[self.page]
        wanted = max(0, min(last, wanted))
        if wanted != state.job_page:
            state.job_page = wanted  # its update shows the page
        return {"FINISHED"}


class MESHSMITH_OT_clear_job_search(Operator):
    """Show every job again: clear the search and the filters"""

    bl_idname = "meshsmith.clear_job_search"
    bl_label = "Clear Search"
    bl_options = {"INTERNAL"}

    def execute(self, context):
        state = context.window_manager.meshsmith
        for name in ("job_search", "job_provider", "job_state", "job_age", "job_page"):
            state.property_unset(name)  # set without their updates: one query below, not five
        runtime.sync_job_list(context)
        return {"FINISHED"}


classes = (MESHSMITH_OT_job_list_page, MESHSMITH_OT_clear_job_search)

register, unregister = bpy.utils.register_classes_factory(classes)
