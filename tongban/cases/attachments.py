"""Material files uploaded for a case: what is accepted, and how it is stored.

A file is judged by its first bytes, never by its name or the browser's content type: PDF,
JPEG and PNG only, at most 10 MB. It is stored under MEDIA_ROOT with a random name (the
original name is kept only as data) and is never served from a public URL: the faces serve
it through a view that asks cases.access.case_visible first.
"""

import contextvars
import hashlib
import os
import secrets
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.lib.errors import Conflict, InvalidInput, NotFound

from . import access
from .models import Attachment, Case

# (magic bytes, content type, extension). PDF readers accept the header anywhere in the first
# 1024 bytes, but every PDF writer puts it first; asking for it first is the safer rule.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
MAX_BYTES = 10 * 1024 * 1024
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"  # for <input accept>

# Files stored inside uploads_atomic(), to delete again if its transaction rolls back.
_stored: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "attachments_stored", default=None
)


def max_bytes() -> int:
    return getattr(settings, "TONGBAN_UPLOAD_MAX_BYTES", MAX_BYTES)


def file_type(file) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG file judged by its first bytes."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def attachment_check(file, *, field: str = "file") -> tuple[str, str]:
    """Check an uploaded file before anything is stored; returns (content type, extension).

    Raises InvalidInput naming `field` for an empty, oversized or unaccepted file."""
    if file is None:
        raise InvalidInput(_("请选择要上传的文件"), code="required", field=field)
    size = file.size
    if not size:
        raise InvalidInput(_("文件是空的"), code="empty_file", field=field)
    limit = max_bytes()
    if size > limit:
        raise InvalidInput(_("文件过大（%(size).1f MB），每个文件不超过 %(limit)s MB") % {
                               "size": size / 1024 / 1024, "limit": limit // 1024 // 1024},
                           code="file_too_large", field=field)  # fmt: skip
    kind = file_type(file)
    if kind is None:
        raise InvalidInput(_("只接受 PDF、JPG 或 PNG 文件（按文件内容判断，不看扩展名）"),
                           code="file_type_not_allowed", field=field)  # fmt: skip
    return kind


def _original_name(file) -> str:
    name = os.path.basename(str(getattr(file, "name", "") or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable())
    return (name or "file")[-200:]


def attachment_add(*, case: Case, material: str, file, user) -> Attachment:
    """Store `file` as material `material` of `case`, uploaded by `user`.

    The user must be one who may see the case, the case still open and the material one of
    its item version's. Raises NotFound, Conflict or InvalidInput (field "material" or
    "file"); nothing is stored then."""
    if not access.case_visible(user, case):
        raise NotFound(_("办件 %(number)s 不存在") % {"number": case.number}, code="case_not_found")
    if not case.is_open:
        raise Conflict(
            _("办件已%(status)s，不能再上传材料") % {"status": case.get_status_display()},
            code="case_closed",
        )
    codes = case.item_version.material_codes
    if material not in codes:
        raise InvalidInput(_("事项“%(item)s”没有材料 %(material)r；可用的材料编码: %(codes)s") % {
                               "item": case.item.name, "material": material, "codes": ", ".join(codes)},
                           code="unknown_material", field="material")  # fmt: skip
    content_type, ext, sha256, name = upload_checked(file)
    attachment = Attachment(
        case=case, material=material, original_name=name, content_type=content_type,
        size=file.size, sha256=sha256, uploaded_by=user,
    )  # fmt: skip
    upload_store(attachment.file, file, ext)
    try:
        attachment.save(force_insert=True)
    except Exception:
        default_storage.delete(attachment.file.name)
        raise
    return attachment


def upload_checked(file, *, field: str = "file") -> tuple[str, str, str, str]:
    """(content type, extension, SHA-256, original name) of an upload attachment_check()
    accepts; InvalidInput naming `field` otherwise."""
    content_type, ext = attachment_check(file, field=field)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return content_type, ext, digest.hexdigest(), _original_name(file)


def upload_store(field_file, file, ext: str) -> None:
    """Store `file` in `field_file` (a FileField of an unsaved row) under a random name: the
    uploader's file name says nothing about where it lies on disk. Inside uploads_atomic() it
    is deleted again if the transaction rolls back."""
    field_file.save(secrets.token_hex(16) + ext, File(file), save=False)
    stored = _stored.get()
    if stored is not None:
        stored.append(field_file.name)


@contextmanager
def uploads_atomic():
    """A transaction for a case change together with its uploads: when it rolls back, the
    files stored inside it are deleted too, so no file is left without its row."""
    stored: list[str] = []
    token = _stored.set(stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    finally:
        _stored.reset(token)
