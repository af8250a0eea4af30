"""Real small files for upload tests, made in the test (nothing downloaded)."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.lib.files import pdf_page as pdf_bytes  # noqa: F401 - the tests' name for it


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG of grey pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))  # fmt: skip


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list:
    """Every file under MEDIA_ROOT."""
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
