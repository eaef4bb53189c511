"""The finished model inside a status answer: base64 text decoded to disk as it arrives, never held whole."""

from __future__ import annotations

import base64
import binascii
import re

from ...net import errors as E
from . import SERVICE

_MODEL_KEY = re.compile(rb'"model_base64"\s*:\s*"')


class CutShortError(E.BadDownloadError):
    """The answer ended before the model's end: fetched again."""


class Base64Field:
    """Finds ``"model_base64": "`` in a JSON body fed in pieces and decodes the string's base64 as it comes."""

    def __init__(self) -> None:
        self._head = b""
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
        data = self._pending + chunk.replace(b"\\/", b"/").replace(b"\\", b"")
        usable = len(data) - len(data) % 4
        self._pending = data[usable:]
        try:
            return [base64.b64decode(data[:usable], validate=True)] if usable else []
        except (binascii.Error, ValueError):
            raise E.BadDownloadError(f"{SERVICE} sent a model that is not valid base64.") from None

    def finish(self) -> bytes:
        if not self.started:
            raise E.BadResponseError(f"{SERVICE} said the job was done but sent no model.")
        if not self.done:
            raise CutShortError(f"{SERVICE} stopped sending the model before its end.")
        if self._pending:
            try:
                return base64.b64decode(self._pending + b"=" * (-len(self._pending) % 4), validate=True)
            except (binascii.Error, ValueError):
                raise E.BadDownloadError(f"{SERVICE} sent a model that is not valid base64.") from None
        return b""
