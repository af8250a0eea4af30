"""Files that only the user tongban runs as may read: the data dir, the SQLite database,
uploads, the SMS and mail files, the generated secret key (issue #12).

settings.py sets the process's umask to 077 first thing, so whatever tongban or a library
creates (SQLite's -wal and -shm files, Django's mail files, temporary uploads) is private;
these helpers also tighten what an older install left readable, and do not depend on the umask.
"""

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Make `path` (and its missing parents) a directory only its owner may enter."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if it is missing, and make it readable by its owner only.

    A new file has mode 0600 from the call that creates it, so it is never readable by others,
    not even before the chmod that tightens an older one."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    path.chmod(PRIVATE_FILE)
    return path


def private_append(path: Path):
    """`path` opened for appending text (UTF-8): created 0600, or tightened to 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return open(fd, "a", encoding="utf-8")


def pdf_page(text: str = "tongban test", pad: int = 0) -> bytes:
    """A small but real one-page PDF of one line of ASCII `text` (with `pad` bytes of comment
    to make it bigger): for tests and the demo's uploaded letters."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    if pad:
        out += b"%" + b"x" * pad + b"\n"
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out
