"""A batch's manifest: which input became which job, kept in the batch's output folder so a rerun carries on.

JSON lines (``meshsmith_batch.jsonl``): a header line, then a line appended for each change of an item, synced to
disk before the change is announced. Written afresh once per run (its start), never rewritten while the batch runs:
a 1,000-item batch writes each change once instead of the whole file at every change. The last readable line of
an item wins; a line torn by a crash is skipped. A batch Meshsmith 0.1 started (``meshsmith_batch.json``, one JSON
object) is read too.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..net.files import write_bytes_atomic

MANIFEST = "meshsmith_batch.jsonl"
"""Which input became which job: a header line, then a line per change of an item (JSON lines, appended)."""
OLD_MANIFEST = "meshsmith_batch.json"
"""Meshsmith 0.1's manifest (one JSON object, rewritten at every change): read to resume a batch it started."""


@dataclass
class Item:
    input: str
    prompt: str = ""
    job_id: str = ""
    state: str = "NEW"
    output: str = ""
    error: str = ""
    seed: int | None = None
    cost: float | None = None
    remote_id: str = ""
    seconds: float | None = None


@dataclass
class Batch:
    command: str
    provider: str
    output_format: str
    items: list[Item] = field(default_factory=list)
    _positions: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    """Each item's place in ``items`` (by the item's identity), for the manifest's lines."""

    def save(self, folder: Path) -> None:
        """Write the whole manifest afresh, atomically (once per run: the batch's start)."""
        header = {"command": self.command, "provider": self.provider, "output_format": self.output_format}
        lines = [json.dumps(header), *(json.dumps({"index": i, **asdict(item)}) for i, item in enumerate(self.items))]
        write_bytes_atomic(folder / MANIFEST, ("\n".join(lines) + "\n").encode("utf-8"))

    def note(self, folder: Path, *items: Item) -> None:
        """Append the items' new state to the manifest, on disk before returning: a line each, one sync for all.

        A manifest is never rewritten while the batch runs, so a 1,000-item batch writes each change once instead
        of the whole file at every change."""
        if len(self._positions) != len(self.items):
            self._positions = {id(item): index for index, item in enumerate(self.items)}
        data = "".join(json.dumps({"index": self._positions[id(item)], **asdict(item)}) + "\n" for item in items)
        with open(folder / MANIFEST, "ab") as handle:
            handle.write(data.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    @classmethod
    def load(cls, folder: Path) -> Batch | None:
        """The batch as its manifest last recorded it (each item's last readable line wins; a torn last line, from a
        crash mid-write, is skipped); a 0.1 manifest (one JSON object) is read too. None when there is none."""
        try:
            text = (folder / MANIFEST).read_text(encoding="utf-8")
        except OSError:
            return cls._load_0_1(folder)
        lines = text.splitlines()
        try:
            header = json.loads(lines[0])
            batch = cls(header["command"], header["provider"], header["output_format"])
        except (IndexError, ValueError, KeyError, TypeError):
            return None
        items: dict[int, Item] = {}
        for line in lines[1:]:
            try:
                fields = json.loads(line)
                index = int(fields.pop("index"))  # before the item is made from the rest (it has no such field)
                items[index] = Item(**fields)
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash: the item's earlier line stands
        batch.items = [items[index] for index in sorted(items)]
        return batch

    @classmethod
    def _load_0_1(cls, folder: Path) -> Batch | None:
        try:
            data = json.loads((folder / OLD_MANIFEST).read_text(encoding="utf-8"))
            return cls(data["command"], data["provider"], data["output_format"], [Item(**item) for item in data["items"]])
        except (OSError, ValueError, KeyError, TypeError):
            return None
