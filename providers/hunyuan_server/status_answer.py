"""Reading a job's status answer: its status word, and the finished model inside it (base64 text decoded to disk
as it arrives, never held whole).

Every byte is hostile until decoded: the text before the model, the model's raw text and its decoded size are each
bounded, and the only escape a JSON base64 string can hold (``\\/``) is the only one accepted, so an endless run of
backslashes (or of anything else) ends the read at once instead of being skipped for ever.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from ...net import errors as E
from . import SERVICE

_MODEL_KEY = re.compile(rb'"model_base64"\s*:\s*"')
_STATUS = re.compile(rb'"status"\s*:\s*"([A-Za-z_-]{1,40})"')
_MESSAGE = re.compile(rb'"message"\s*:\s*"([^"]{0,300})"')
STATUS_HEAD_BYTES = 64 * 1024
"""How much of a status answer is read to learn the status (the model, when there is one, follows it)."""
MAX_BEFORE_MODEL_BYTES = 1024 * 1024
"""The status, the message and the key come before the model: a server that sends more without the key has no model."""


class CutShortError(E.BadDownloadError):
    """The answer ended before the model's end: fetched again."""


def _not_base64() -> E.BadDownloadError:
    return E.BadDownloadError(f"{SERVICE} sent a model that is not valid base64.")


class Base64Field:
    """Finds ``"model_base64": "`` in a JSON body fed in pieces and decodes the string's base64 as it comes."""

    def __init__(self) -> None:
        self._head = b""
        self._carry = b""
        self._pending = b""
        self.started = False
        self.done = False

    def feed(self, chunk: bytes) -> list[bytes]:
        if self.done:
            return []
        if not self.started:
            self._head += chunk
            found = _MODEL_KEY.search(self._head)
            if found is None:
                self._head = self._head[-64:]  # the key may straddle two pieces
                return []
            self.started = True
            chunk, self._head = self._head[found.end():], b""
        end = chunk.find(b'"')
        if end >= 0:
            chunk, self.done = chunk[:end], True
        text = self._carry + chunk
        self._carry = b""
        if text.endswith(b"\\") and not self.done:  # the escape may straddle two pieces
            text, self._carry = text[:-1], b"\\"
        text = text.replace(b"\\/", b"/")
        if b"\\" in text:  # base64 has no other character JSON escapes
            raise _not_base64()
        data = self._pending + text
        usable = len(data) - len(data) % 4
        self._pending = data[usable:]
        try:
            return [base64.b64decode(data[:usable], validate=True)] if usable else []
        except (binascii.Error, ValueError):
            raise _not_base64() from None

    def finish(self) -> bytes:
        if not self.started:
            raise E.BadResponseError(f"{SERVICE} said the job was done but sent no model.")
        if not self.done:
            raise CutShortError(f"{SERVICE} stopped sending the model before its end.")
        if self._pending:
            try:
                return base64.b64decode(self._pending + b"=" * (-len(self._pending) % 4), validate=True)
            except (binascii.Error, ValueError):
                raise _not_base64() from None
        return b""


def decode_model(chunks: Iterable[bytes], dest: Path, *, max_bytes: int) -> Path:
    """Decode the ``model_base64`` of a status answer read as ``chunks`` into ``dest`` (atomic: the file appears
    only whole and starting like a GLB). Stops reading at the model's end; refuses more than ``max_bytes`` decoded,
    more raw text than such a model takes, or ``MAX_BEFORE_MODEL_BYTES`` without the model's key."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.{id(chunks):x}.part")
    decoder, raw, written = Base64Field(), 0, 0
    raw_limit = MAX_BEFORE_MODEL_BYTES + max_bytes * 3 // 2  # base64 is 4/3 of the model; '\/' escapes add a little
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                raw += len(chunk)
                if raw > raw_limit:
                    raise E.BadDownloadError(
                        f"{SERVICE} sent more than a model of {max_bytes >> 20} MB takes; refused.")
                for data in decoder.feed(chunk):
                    written += len(data)
                    if written > max_bytes:
                        raise E.BadDownloadError(f"{SERVICE} sent a model over {max_bytes >> 20} MB; refused.")
                    out.write(data)
                if decoder.done:
                    break
                if not decoder.started and raw > MAX_BEFORE_MODEL_BYTES:
                    raise E.BadResponseError(f"{SERVICE} said the job was done but sent no model.")
            out.write(decoder.finish())
        with partial.open("rb") as check:
            if check.read(4) != b"glTF":
                raise E.BadDownloadError(f"{SERVICE} sent a model that is not a GLB file.")
        os.replace(partial, dest)
        return dest
    finally:
        partial.unlink(missing_ok=True)


MIN_TRANSFER_S = 60.0
"""A model that arrives at (or after) the job's time limit still gets this long to arrive."""


def model_url(server: str, uid: str, deadline: float) -> str:
    """Where the finished model is read again (after a restart, or when the status answer broke): the status
    answer itself. The fragment (never sent) keeps the job's time limit with the journaled address."""
    return f"{server}/status/{uid}?download=model#until={deadline:.0f}"


def transfer_seconds(url_or_deadline: str | float, now: float) -> float:
    """How long the model's transfer may take: until the job's time limit, and at least ``MIN_TRANSFER_S``."""
    deadline = url_or_deadline
    if isinstance(deadline, str):
        found = re.search(r"#until=(\d{1,12})$", deadline)
        deadline = float(found.group(1)) if found else now
    return max(deadline - now, MIN_TRANSFER_S)


def status_of(head: bytes, ended: bool, server: str) -> tuple[str, str]:
    """The status word and message at the start of a status answer (``ended``: the whole answer)."""
    unreadable = E.BadResponseError(f"{SERVICE} at {server} answered a status request with something unreadable.")
    if ended:
        try:
            answer = json.loads(head)
        except ValueError:
            raise unreadable from None
        if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
            raise unreadable
        message = answer.get("message")
        return answer["status"][:40], message[:300] if isinstance(message, str) else ""
    found = _STATUS.search(head)
    if found is None:
        raise unreadable
    message = _MESSAGE.search(head)
    return found.group(1).decode(), message.group(1).decode("utf-8", "replace") if message else ""

