"""Meshsmith on the command line: ``blender -c meshsmith generate|retexture|jobs ...`` (Blender 4.2+).

Each command has ``--help``. Keys come from the environment variables or the saved preferences;
``--sandbox`` runs against the built-in simulator. The same functions are in batch.py for Python.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..jobs.states import JobState
from ..providers import registry

if TYPE_CHECKING:
    import argparse

    from ..jobs.store import JobQuery


def parser() -> argparse.ArgumentParser:
    import argparse  # here, not at module level: register() stays cheap

    top = argparse.ArgumentParser(prog="blender -c meshsmith", description="Generate and retexture 3D models in batches.")
    commands = top.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="a model for every image in a folder",
                                   description="Generate a model for every image (PNG, JPEG, WebP) in a folder. "
                                               "Run the same command again to resume an interrupted batch.")
    generate.add_argument("images", type=Path, help="folder of reference images")
    generate.add_argument("--out", type=Path, required=True, help="folder for the results, the manifest and report.json")
    choices = [provider.id for provider in registry.generators()]
    generate.add_argument("--provider", choices=choices, default=choices[0])
    generate.add_argument("--prompt", default="", help="optional prompt sent with every image")
    _common(generate)

    retexture = commands.add_parser("retexture", help="texture every GLB in a folder with one or more styles",
                                    description="Retexture every .glb in a folder with each style prompt. "
                                                "Run the same command again to resume.")
    retexture.add_argument("meshes", type=Path, help="folder of .glb meshes")
    retexture.add_argument("--out", type=Path, required=True)
    texturers = [provider.id for provider in registry.retexturers()]
    retexture.add_argument("--provider", choices=texturers, default=texturers[0])
    retexture.add_argument("--style", action="append", default=[], help="a style prompt (repeat for several)")
    retexture.add_argument("--styles-file", type=Path, help="a text file with one style prompt per line")
    _common(retexture)

    remesh = commands.add_parser("remesh", help="new topology for every GLB in a folder (Meshy Remesh)",
                                 description="Remesh every .glb in a folder to a target face count; writes "
                                             "<mesh>_remeshed.glb. Run the same command again to resume.")
    remesh.add_argument("meshes", type=Path, help="folder of .glb meshes")
    remesh.add_argument("--out", type=Path, required=True)
    remesh.add_argument("--topology", choices=["quad", "triangle"], default="quad")
    remesh.add_argument("--target-polycount", type=int, default=30000, help="faces of the new mesh (100-300000)")
    _tool_common(remesh, "REMESH")

    unwrap = commands.add_parser("uv-unwrap", help="a new UV layout for every GLB in a folder (Meshy UV Unwrap)",
                                 description="UV-unwrap every .glb in a folder; writes <mesh>_unwrapped.glb. Run the "
                                             "same command again to resume.")
    unwrap.add_argument("meshes", type=Path, help="folder of .glb meshes")
    unwrap.add_argument("--out", type=Path, required=True)
    _tool_common(unwrap, "UV_UNWRAP")

    jobs = commands.add_parser("jobs", help="list or search the jobs Meshsmith knows",
                               description="List every job Meshsmith knows, newest first, or those a search finds.")
    jobs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    jobs.add_argument("--search", default="", help="words that must all appear in the label, or the start of an id")
    jobs.add_argument("--provider", choices=sorted(registry.PROVIDERS), help="only this service's jobs")
    jobs.add_argument("--state", action="append", choices=[state.value for state in JobState],
                      help="only jobs in this state (repeat for several)")
    jobs.add_argument("--since", type=_date, help="only jobs made on or after this day (YYYY-MM-DD, local time)")
    jobs.add_argument("--until", type=_date, help="only jobs made before this day (YYYY-MM-DD, local time)")
    jobs.add_argument("--limit", type=int, default=-1, help="at most this many jobs (default: all)")

    models = commands.add_parser("models", help="list the models of a catalog (Scenario)",
                                 description="List the 3D models a provider's catalog offers, with what each does; "
                                             "give an id to generate or retexture with --model.")
    catalogs = [provider.id for provider in registry.generators() + registry.retexturers() if provider.catalog]
    models.add_argument("--provider", choices=sorted(set(catalogs)), default=catalogs[0] if catalogs else None)
    models.add_argument("--search", default="", help="words that must all appear in the model's id or name")
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")
    models.add_argument("--sandbox", action="store_true", help="use the built-in simulator: no key, no credits")
    return top


def _tool_common(command: argparse.ArgumentParser, tool: str) -> None:
    choices = [provider.id for provider in registry.with_asset_tool(tool)] or ["NONE"]
    command.add_argument("--provider", choices=choices, default=choices[0])
    command.add_argument("--concurrency", type=int, default=3, help="jobs running at once (default 3)")
    command.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait before stopping (resume later)")
    command.add_argument("--sandbox", action="store_true", help="use the built-in simulator: no key, no credits")


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--concurrency", type=int, default=3, help="jobs running at once (default 3)")
    command.add_argument("--format", choices=["glb", "blend"], default="glb", dest="output_format",
                         help="write each result as .glb (with separate maps beside it) or .blend")
    command.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait before stopping (resume later)")
    command.add_argument("--sandbox", action="store_true", help="use the built-in simulator: no key, no credits")
    command.add_argument("--model", default="", help="a catalog model's id (Scenario), e.g. model_tripo-v3-1-image-to-3d")
    command.add_argument("--inputs", default="", help='the catalog model\'s inputs as a JSON object, e.g. \'{"texture": true}\'')


def main(argv: list[str]) -> int:
    """Run a command; returns the process exit code (0: every item done)."""

    from ..host import preferences
    from ..net.errors import MeshsmithError
    from . import batch

    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # --help and usage errors
        return int(exit_.code or 0)
    if getattr(args, "sandbox", False):
        preferences.get().use_sandbox = True
    try:
        if args.command == "jobs":
            return _print_jobs(batch.list_jobs(_job_query(args)), as_json=args.json)
        if args.command == "models":
            found = batch.list_models(args.provider, args.search)
            if args.json:
                print(json.dumps(found, indent=2))
            else:
                for row in found:
                    print(f"{row['id']:<48} {row['name'][:40]:<40} {', '.join(row['tasks']).lower()}")
                if not found:
                    print("No model matches." if args.search else "The catalog is empty.")
            return 0
        if args.command in ("remesh", "uv-unwrap"):
            tool = "REMESH" if args.command == "remesh" else "UV_UNWRAP"
            params = ({"topology": args.topology, "target_polycount": args.target_polycount}
                      if tool == "REMESH" else {})
            report = batch.tool_folder(args.meshes, args.out, tool=tool, provider=args.provider, params=params,
                                       concurrency=args.concurrency, timeout_s=args.timeout)
        elif args.command == "generate":
            report = batch.generate_folder(args.images, args.out, provider=args.provider, prompt=args.prompt,
                                           concurrency=args.concurrency, output_format=args.output_format,
                                           timeout_s=args.timeout, model=args.model, inputs=args.inputs)
        else:
            styles = list(args.style)
            if args.styles_file:
                styles += [line.strip() for line in args.styles_file.read_text().splitlines() if line.strip()]
            report = batch.retexture_folder(args.meshes, args.out, prompts=styles, provider=args.provider, concurrency=args.concurrency,
                                            output_format=args.output_format, timeout_s=args.timeout,
                                            model=args.model, inputs=args.inputs)
    except MeshsmithError as exc:
        print(f"meshsmith: {exc}", file=sys.stderr)
        return 2
    print(f"{report['done']} done, {report['failed']} failed, {report['pending']} pending; "
          f"report: {Path(args.out) / 'report.json'}")
    return 0 if report["failed"] == 0 and report["pending"] == 0 else 1


def _date(text: str) -> float:
    """A day (YYYY-MM-DD) as the time its local midnight began."""
    import argparse
    import datetime

    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day as YYYY-MM-DD: {text!r}") from None


def _job_query(args: argparse.Namespace) -> JobQuery:
    from ..jobs.store import JobQuery

    return JobQuery(text=args.search, provider=args.provider or "", states=tuple(args.state or ()), since=args.since,
                    until=args.until, include_dismissed=True, limit=args.limit)


def _print_jobs(rows, *, as_json: bool) -> int:
    """Print jobs as they are read (a JSON list, or a table), never holding them all."""
    if as_json:
        print("[", end="")
        for number, row in enumerate(rows):
            print(("," if number else "") + "\n  " + json.dumps(row), end="")
        print("\n]")
        return 0
    found = False
    for row in rows:
        found = True
        made = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["created_at"]))
        print(f"{row['id'][:12]}  {made}  {row['provider']:<14} {row['state']:<11} {row['label'][:40]}")
    if not found:
        print("No job matches.")
    return 0


_handle = None
"""The handle Blender returns for the registered command line: kept for unregister, nothing else."""


def register() -> None:
    global _handle
    import bpy

    if hasattr(bpy.utils, "register_cli_command"):
        _handle = bpy.utils.register_cli_command("meshsmith", main)


def unregister() -> None:
    global _handle
    import bpy

    if _handle is not None:
        bpy.utils.unregister_cli_command(_handle)
        _handle = None
