"""The built-in sandbox: every service simulator on one loopback server (``routing.Router``), with switchable faults.

Faults are armed on ``Sandbox.faults`` (or over HTTP at ``POST /_sandbox/faults``) and fire before routing, so
every simulated endpoint can be broken the same way. Each simulator is its service's own statement of what it
accepts, written from the service's documentation, never from Meshsmith's clients.
"""

from __future__ import annotations

from typing import Any

from . import hunyuan_server, meshy, scenario, segmind
from .hunyuan_server import HunyuanServerSimulator
from .routing import FAULT_KINDS, Fault, Handler, Router
from .wire import Request, Response

__all__ = ["FAULT_KINDS", "Fault", "Handler", "Request", "Response", "Sandbox"]


class Sandbox(Router):
    """Every simulator on ``127.0.0.1``, in a background thread. Use as a context manager or start()/stop()."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1", fast: bool = True) -> None:
        super().__init__(port, host=host, fast=fast)
        self.route("POST", r"/_sandbox/config", self._configure)
        self.route("GET", r"/_sandbox/state", self._state)
        self.segmind = self.attach(segmind)
        self.scenario = self.attach(scenario)
        self.meshy = self.attach(meshy)
        self.hunyuan_servers = [self.attach(hunyuan_server)]
        self.hunyuan_server = self.hunyuan_servers[0]
        """The first self-hosted server (the built-in sandbox's); ``add_hunyuan_server`` starts more."""

    def add_hunyuan_server(self, version: str = "2.0", **config: Any) -> Any:
        """Another simulated Hunyuan3D server on this sandbox (its ``url`` is its base URL)."""
        server = HunyuanServerSimulator(self, len(self.hunyuan_servers), version, **config)
        self.hunyuan_servers.append(server)
        return server

    def start(self) -> Sandbox:
        super().start()
        return self

    def __enter__(self) -> Sandbox:
        return self.start()

    def _configure(self, request: Request) -> Response:
        """``POST /_sandbox/config`` with ``{"segmind": {"complete_after_s": 1}, ...}``: set simulator switches."""
        for service, changes in (request.json() or {}).items():
            config = getattr(self, service).config
            for name, value in changes.items():
                if not hasattr(config, name) or name == "jobs":
                    return Response.json({"error": f"unknown setting {service}.{name}"}, 400)
                setattr(config, name, value)
        return Response.json({"ok": True})

    def _state(self, request: Request) -> Response:
        """What benchmarks need to know from outside: creating requests, job creation and completion times."""
        return Response.json({
            "segmind": {"creating_posts": self.segmind.creating_posts,
                        "created": {rid: job.created for rid, job in self.segmind.config.jobs.items()}},
            "scenario": {"creating_posts": self.scenario.creating_posts},
            "meshy": {"creating_posts": self.meshy.creating_posts, "done_at": self.meshy.done_at},
        })
