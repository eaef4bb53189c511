"""The job list's own actions: moving through its pages, clearing its search, and the artist's Allow or Deny of a
paid job an agent asked for beyond the session's limit."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty
from bpy.types import Operator

from ..host import joblist, runtime
from ..i18n.translations import translate_message
from ..net import errors as E


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
        matches = state.job_matches
        if state.job_matches_more and (self.page == "LAST" or (state.job_page + 2) * joblist.PAGE_SIZE > matches):
            # counted up to a bound, and the page asked for lies beyond it: count them all now
            matches = runtime.engine().find(joblist.query_of(state), count_up_to=None)[1]
        last = max(0, (matches - 1) // joblist.PAGE_SIZE)
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


class MESHSMITH_OT_agent_decide(Operator):
    """Allow or deny a paid job an agent asked for beyond this session's limit"""

    bl_idname = "meshsmith.agent_decide"
    bl_label = "Allow or Deny"
    bl_options = {"INTERNAL"}

    job_id: StringProperty(options={"HIDDEN", "SKIP_SAVE"})
    allow: BoolProperty(options={"SKIP_SAVE"})

    @classmethod
    def description(cls, context, properties):
        return ("Send this job to the service (it is paid)" if properties.allow
                else "Do not send this job; the agent is told you denied it")

    def execute(self, context):
        from .agent_tools import decide

        try:
            decide(context, self.job_id, self.allow)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        runtime.drain(context)
        return {"FINISHED"}


classes = (MESHSMITH_OT_job_list_page, MESHSMITH_OT_clear_job_search, MESHSMITH_OT_agent_decide)

register, unregister = bpy.utils.register_classes_factory(classes)
