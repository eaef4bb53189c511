"""The sidebar's job list shows one page of the job store: the page and the filters ask the store, a tick changes only
the rows of jobs that changed, and a new job lands at the top of the first page, whatever the history's size."""

from __future__ import annotations

import bpy

from blender_helpers import submodule


def _engine(tmp_path, count: int):
    """An engine on a store of ``count`` finished jobs (every seventh dismissed), made through the store's API."""
    records, store_module = submodule("jobs.records"), submodule("jobs.store")
    store = store_module.JobStore(tmp_path / "store")
    store.append_many([records.JobRecord(provider="MESHY" if index % 3 == 0 else "SEGMIND", label=f"job {index}",
                                         state=records.JobState.FAILED if index % 5 == 0 else records.JobState.IMPORTED,
                                         created_at=1_000.0 + index, dismissed=index % 7 == 3) for index in range(count)])
    return submodule("jobs.engine").JobEngine(store)


def _labels() -> list[str]:
    return [item.label for item in bpy.context.window_manager.meshsmith.jobs]


def test_the_list_shows_a_page_newest_first_and_moves_through_the_pages(tmp_path):
    joblist = submodule("host.joblist")
    engine = _engine(tmp_path, 130)
    state = bpy.context.window_manager.meshsmith
    mirror = joblist.JobListMirror()
    try:
        mirror.rebuild(bpy.context, engine)
        shown = [f"job {index}" for index in reversed(range(130)) if index % 7 != 3]  # dismissed jobs are not listed
        assert _labels() == shown[:joblist.PAGE_SIZE] and state.job_matches == len(shown) == 111
        state["job_page"] = 2
        mirror.rebuild(bpy.context, engine)
        assert _labels() == shown[100:]
        state["job_page"] = 9  # past the end (jobs were dismissed meanwhile): the last page
        mirror.rebuild(bpy.context, engine)
        assert state.job_page == 2 and _labels() == shown[100:]
        state.job_provider, state.job_state = "MESHY", "PROBLEM"  # (their updates show the add-on's own engine)
        mirror.rebuild(bpy.context, engine)
        assert _labels() == [f"job {i}" for i in reversed(range(130)) if i % 15 == 0 and i % 7 != 3]
    finally:
        engine.shutdown()


def test_a_tick_changes_rows_in_place_and_puts_a_new_job_at_the_top_of_the_first_page_only(tmp_path):
    joblist, records = submodule("host.joblist"), submodule("jobs.records")
    engine = _engine(tmp_path, 120)
    state = bpy.context.window_manager.meshsmith
    mirror = joblist.JobListMirror()
    try:
        mirror.rebuild(bpy.context, engine)
        first_page = _labels()
        old = engine.find(submodule("jobs.store").JobQuery(limit=1, offset=5))[0][0]
        mirror.sync(bpy.context, old.evolve(message="changed"))
        items = state.jobs
        assert items[items.find(old.id)].message == "changed" and _labels() == first_page
        fresh = records.JobRecord(provider="SEGMIND", label="new one")
        matches = state.job_matches
        mirror.sync(bpy.context, fresh)
        assert _labels() == ["new one", *first_page[:joblist.PAGE_SIZE - 1]]  # the page keeps its size
        assert state.job_matches == matches + 1 and state.active_job_index == 0
        mirror.sync(bpy.context, fresh.evolve(dismissed=True))
        assert "new one" not in _labels() and state.job_matches == matches
        state["job_page"] = 1
        mirror.rebuild(bpy.context, engine)
        second_page = _labels()
        mirror.sync(bpy.context, records.JobRecord(provider="SEGMIND", label="newer one"))
        assert _labels() == second_page  # a new job belongs on the first page
        state["job_page"] = 0
        state.job_state = "ACTIVE"
        mirror.rebuild(bpy.context, engine)
        assert _labels() == []
        running = records.JobRecord(provider="SEGMIND", label="running", state=records.JobState.RUNNING)
        mirror.sync(bpy.context, running)
        assert _labels() == ["running"]
        mirror.sync(bpy.context, running.evolve(state=records.JobState.IMPORTED))  # no longer what the filter shows
        assert _labels() == []
    finally:
        engine.shutdown()


def test_searching_from_the_sidebar_asks_the_store(tmp_path, blender):
    engine = blender.engine()
    engine.store.append_many([submodule("jobs.records").JobRecord(id=f"job{i:04d}", provider="SEGMIND",
                                                                  label=f"chair {i}", created_at=1_000.0 + i)
                              for i in range(70)])
    state = bpy.context.window_manager.meshsmith
    state.job_search = "6 CHAIR"  # the property's update shows the first page of what it finds (every word, any case)
    assert _labels() == [f"chair {i}" for i in reversed(range(70)) if "6" in str(i)] and state.job_matches == 16
    state.job_search = ""
    assert len(_labels()) == 50 and state.job_matches == 70
    assert bpy.ops.meshsmith.job_list_page(page="LAST") == {"FINISHED"}
    assert state.job_page == 1 and _labels()[-1] == "chair 0"
    assert bpy.ops.meshsmith.job_list_page(page="NEXT") == {"FINISHED"}
    assert state.job_page == 1  # no page past the last
    bpy.ops.meshsmith.job_list_page(page="FIRST")
    assert _labels()[0] == "chair 69"
