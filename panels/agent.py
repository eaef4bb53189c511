"""The Jobs panel's agent box: whether an agent is connected, what it started, and its jobs waiting for approval."""

from __future__ import annotations

import bpy
from bpy.app.translations import pgettext_iface as iface_

from ..host.state import HOST


def draw_agent(layout: bpy.types.UILayout) -> None:
    """Drawn while agent access is on or an agent's job waits for the artist (reads memory only)."""
    bridge, session = HOST.agent_bridge, HOST.agent
    if bridge is None and not session.waiting:
        return
    box = layout.box()
    if bridge is not None:
        if bridge.connected:
            box.label(text=iface_("An agent is connected (last: {})").format(bridge.last_tool), icon="LINKED",
                      translate=False)
        else:
            box.label(text="Agent access is on; no agent connected", icon="UNLINKED")
        if session.started:
            box.label(text=iface_("Started by agents: {} job(s), {} paid").format(len(session.started),
                                                                                 session.paid_jobs), translate=False)
    for job_id, waiting in session.waiting.items():
        col = box.column(align=True)
        col.alert = True
        col.label(text="Waiting for your approval", icon="QUESTION")
        col.label(text=f"{waiting.record.provider.title()}: {waiting.record.label}", translate=False)
        row = col.row(align=True)
        allow = row.operator("meshsmith.agent_decide", text="Allow", icon="CHECKMARK")
        allow.job_id, allow.allow = job_id, True
        deny = row.operator("meshsmith.agent_decide", text="Deny", icon="CANCEL")
        deny.job_id, deny.allow = job_id, False
