"""A small SMS gateway interface. settings.TONGBAN_SMS_BACKEND picks the backend:

console   print each message to the worker's output (the default, for development)
file      append each message as one JSON line to <data dir>/sms/<yyyy-mm-dd>.jsonl

Both are logs, not a gateway: they keep the number masked (138****0001), as every log does;
the message itself, a case number or a sign-up code, is for the person reading the demo.
locmem    keep messages in LocmemBackend.outbox (tests)
a.b.C     the dotted path of a class with the SmsBackend interface: a real gateway

A backend raises SmsError when the gateway refuses a message; the sender records the error
and tries again later.
"""

import json
import sys
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from tongban.lib.files import private_append, private_dir
from tongban.lib.identifiers import phone_mask


class SmsError(Exception):
    pass


class SmsBackend:
    """Send one text message; return the gateway's message id (or any receipt string)."""

    def send(self, *, phone: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, phone: str, text: str) -> str:
        receipt = uuid.uuid4().hex
        self.stream.write(f"[SMS {receipt[:8]}] to {phone_mask(phone)}: {text}\n")
        self.stream.flush()
        return receipt


class FileBackend(SmsBackend):
    _lock = threading.Lock()

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or settings.TONGBAN_SMS_DIR)

    def send(self, *, phone: str, text: str) -> str:
        receipt = uuid.uuid4().hex
        now = timezone.localtime()
        line = json.dumps(
            {"id": receipt, "at": now.isoformat(), "phone": phone_mask(phone), "text": text},
            ensure_ascii=False,
        )
        private_dir(self.folder)  # case numbers and codes: the owner's only (0700, 0600)
        with self._lock, private_append(self.folder / f"{now:%Y-%m-%d}.jsonl") as f:
            f.write(line + "\n")
        if settings.TONGBAN_DEMO:  # whoever tries the demo's sign-up reads the code here
            ConsoleBackend(sys.stderr).send(phone=phone, text=text)
        return receipt


class LocmemBackend(SmsBackend):
    outbox: list[dict] = []

    def send(self, *, phone: str, text: str) -> str:
        receipt = uuid.uuid4().hex
        self.outbox.append({"id": receipt, "phone": phone, "text": text})
        return receipt


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "locmem": LocmemBackend}


def get_backend() -> SmsBackend:
    name = settings.TONGBAN_SMS_BACKEND
    cls = BACKENDS.get(name)
    if cls is None:
        try:
            cls = import_string(name)
        except ImportError as e:
            raise ImproperlyConfigured(
                f"TONGBAN_SMS_BACKEND must be console, file, locmem or a class path, not {name!r}"
            ) from e
    return cls()


def send_sms(*, phone: str, text: str) -> str:
    return get_backend().send(phone=phone, text=text)
