"""Child process for the crash test: submits one job and reports each state on stdout until it is killed.

Usage: python crash_child.py REPO_ROOT JOURNAL_DIR PROVIDER BASE_URL IMAGE OUTPUT_DIR [SESSION_ID]
With SESSION_ID the child runs its job as a Blender session does, holding the job's lock.
"""

import importlib.util
import sys
import threading
from pathlib import Path

root, journal_dir, provider_name, base_url, image, output_dir = sys.argv[1:7]
session_id = sys.argv[7] if len(sys.argv) > 7 else ""
spec = importlib.util.spec_from_file_location("meshsmith", Path(root) / "__init__.py", submodule_search_locations=[root])
module = importlib.util.module_from_spec(spec)
sys.modules["meshsmith"] = module
spec.loader.exec_module(module)

from meshsmith.jobs.engine import JobEngine  # noqa: E402
from meshsmith.jobs.ownership import JobLocks  # noqa: E402
from meshsmith.jobs.records import JobRecord  # noqa: E402
from meshsmith.jobs.store import JobStore  # noqa: E402
from meshsmith.net.http import HttpClient  # noqa: E402

if provider_name == "SCENARIO":
    from meshsmith.providers.scenario.client import ScenarioProvider
    from meshsmith.sandbox.scenario import VALID_KEY, VALID_SECRET

    provider = ScenarioProvider(HttpClient(), VALID_KEY, VALID_SECRET, base_url=base_url, poll_interval=0.3)
else:
    from meshsmith.providers.segmind.client import SegmindProvider
    from meshsmith.sandbox.segmind import VALID_KEY

    provider = SegmindProvider(HttpClient(), VALID_KEY, base_url=base_url, poll_interval=0.3)

engine = JobEngine(JobStore(Path(journal_dir)), locks=JobLocks(Path(journal_dir), session_id) if session_id else None)
record = engine.submit(JobRecord(provider=provider_name, inputs={"image_path": image}, output_dir=output_dir), provider)
print(f"JOB {record.id}", flush=True)
while True:
    engine.wait_for_updates(1.0)
    for update in engine.drain():
        print(f"STATE {update.state.value} {update.remote_id}", flush=True)
    threading.Event().wait(0.01)
