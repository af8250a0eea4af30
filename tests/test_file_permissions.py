"""Nothing tongban writes can be read by another local user (issue #12): the data dir, the
generated secret key, the SQLite database and its -wal and -shm files, uploads, notices, SMS and
mail files (tongban/lib/files.py).

Each part is tested where the process's umask would not save it (022, a shell's usual one): the
uploads by FILE_UPLOAD_PERMISSIONS, the SMS files by their backend, the rest in a new process
that starts with umask 022 and gets 077 from settings."""

import json
import os
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tongban.cases.attachments import attachment_add
from tongban.lib.sms import FileBackend
from tongban.portal.tests.samples import pdf_bytes, upload

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def shared(root: Path) -> dict[str, str]:
    """Every path under root (root included) that its group or others may read, enter or write."""
    paths = [root, *root.rglob("*")]
    return {str(p.relative_to(root)): oct(mode(p)) for p in paths if mode(p) & 0o077}


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.django_db
def test_uploads_and_their_folders_are_private(online_case, carol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with umask(0o022):
        attachment = attachment_add(case=online_case, material="M1", file=upload("a.pdf", pdf_bytes()),
                                    user=carol)  # fmt: skip
        notice = default_storage.save("notices/1-abc.pdf", ContentFile(pdf_bytes()))
    stored = Path(attachment.file.path)
    assert mode(stored) == 0o600 and mode(stored.parent) == 0o700
    assert mode(tmp_path / "media" / notice) == 0o600
    assert shared(tmp_path / "media") == {}


@pytest.mark.django_db
def test_uploaded_files_get_names_nobody_can_guess(online_case, carol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    names = {Path(attachment_add(case=online_case, material="M1", file=upload("身份证.pdf", pdf_bytes()),
                                 user=carol).file.name).name for _ in range(2)}  # fmt: skip
    assert len(names) == 2  # the same file twice: two names, 128 random bits each
    assert all(len(n) == len("0" * 32 + ".pdf") and int(n[:32], 16) >= 0 for n in names)


def test_sms_files_are_private(tmp_path):
    with umask(0o022):
        FileBackend(folder=tmp_path / "sms").send(phone="13500000001", text="办件已受理")
    assert shared(tmp_path / "sms") == {}
    assert [mode(p) for p in (tmp_path / "sms").iterdir()] == [0o600]


def test_an_older_loose_sms_file_is_tightened(tmp_path):
    FileBackend(folder=tmp_path / "sms").send(phone="13500000001", text="一")
    (day,) = (tmp_path / "sms").iterdir()
    day.chmod(0o644)
    (tmp_path / "sms").chmod(0o755)
    FileBackend(folder=tmp_path / "sms").send(phone="13500000001", text="二")
    assert shared(tmp_path / "sms") == {}
    assert len(day.read_text().splitlines()) == 2


WRITE_EVERYTHING = """
import json, os, stat, django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import connection
from tongban.lib.sms import FileBackend

with connection.cursor() as c:  # the database in WAL mode: -wal and -shm beside it
    c.execute("CREATE TABLE t (x integer)")
    c.execute("INSERT INTO t VALUES (1)")
    db = str(settings.DATABASES["default"]["NAME"])
    # SQLite deletes both when the last connection closes: read them now.
    sidecars = {e: oct(stat.S_IMODE(os.stat(db + e).st_mode)) for e in ("-wal", "-shm")}
default_storage.save("cases/2025/01/abc.pdf", ContentFile(b"%PDF-1.4"))
FileBackend().send(phone="13500000001", text="hello")
send_mail("subject", "body", None, ["clerk@example.org"])
print(json.dumps({"umask": oct(os.umask(0)), **sidecars}))
"""


def test_a_new_data_dir_is_private_from_the_first_file(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env |= {"TONGBAN_DATA_DIR": str(data), "TONGBAN_EMAIL_BACKEND": "file",
            "TONGBAN_SMS_BACKEND": "file", "DJANGO_SETTINGS_MODULE": "tongban.settings"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", WRITE_EVERYTHING], cwd=ROOT, env=env, umask=0o022,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # settings set the umask; SQLite gave its files the database's mode
    assert json.loads(done.stdout.splitlines()[-1]) == {"umask": "0o77", "-wal": "0o600",
                                                        "-shm": "0o600"}  # fmt: skip
    written = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()}
    assert {"secret_key", "tongban.sqlite3", "media/cases/2025/01/abc.pdf"} <= written
    assert any(p.startswith("sms/") for p in written) and any(
        p.startswith("mail/") for p in written
    )
    assert shared(data) == {}, json.dumps(shared(data))


def test_an_older_data_dir_is_tightened(tmp_path):
    data = tmp_path / "data"
    (data / "media").mkdir(parents=True)
    (data / "secret_key").write_text("x" * 60)
    for path, loose in ((data, 0o755), (data / "media", 0o755), (data / "secret_key", 0o644)):
        path.chmod(loose)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env |= {"TONGBAN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "tongban.settings"}
    done = subprocess.run([sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
                          cwd=ROOT, env=env, umask=0o022, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert shared(data) == {}
    assert (data / "secret_key").read_text() == "x" * 60  # the key is kept
