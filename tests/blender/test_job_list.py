"""The sidebar's job list: a rebuild (start-up, file open) shows what the ticks would have shown, newest first."""

from __future__ import annotations

import bpy

from blender_helpers import submodule


def _records(count: int):
    records_module = submodule("jobs.records")
    made = []
    for index in range(count):
        made.append(records_module.JobRecord(provider="SEGMIND", kind=records_module.JobKind.GENERATE,
                                             label=f"job {index}", created_at=1_000.0 + index,
                                             dismissed=index % 7 == 3))
    return made


def test_a_rebuild_lists_every_job_newest_first_as_the_ticks_would():
    mirror_class = submodule("host.joblist").JobListMirror
    records = _records(60)
    jobs = bpy.context.window_manager.meshsmith.jobs
    ticked = mirror_class()
    jobs.clear()
    for record in records:  # one tick per job, as they came
        ticked.sync(bpy.context, record)
    by_ticks = [(item.job_id, item.label, item.state) for item in jobs]
    rebuilt = mirror_class()
    rebuilt.rebuild(bpy.context, records)
    assert [(item.job_id, item.label, item.state) for item in jobs] == by_ticks
    assert [item.label for item in jobs][:2] == ["job 58", "job 57"] and "job 59" not in [item.label for item in jobs]
    assert len(jobs) == len([record for record in records if not record.dismissed]) == len(rebuilt.rows)
    # A later tick finds each row by its job id and changes only that row.
    changed = records[11].evolve(label="renamed")
    rebuilt.sync(bpy.context, changed)
    assert jobs[jobs.find(changed.id)].label == "renamed" and len(jobs) == len(rebuilt.rows)
