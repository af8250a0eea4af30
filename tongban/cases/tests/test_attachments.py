"""Uploading material files (cases.attachments)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import submit
from tongban.cases.attachments import attachment_add, attachment_check, file_type, uploads_atomic
from tongban.cases.models import Attachment
from tongban.lib.errors import Conflict, InvalidInput, NotFound
from tongban.portal.tests.samples import pdf_bytes, png_bytes, stored_files

pytestmark = pytest.mark.django_db

JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(content: bytes, name="f.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "content, expected",
    [
        (pdf_bytes(), ("application/pdf", ".pdf")),
        (png_bytes(), ("image/png", ".png")),
        (JPEG, ("image/jpeg", ".jpg")),
        (b"MZ\x90\x00" + b"\x00" * 60, None),  # a Windows program
        (b"<html><script>alert(1)</script>", None),
        (b"GIF89a" + b"\x00" * 20, None),
        (b"PK\x03\x04" + b"\x00" * 20, None),  # a zip (docx) file
    ],
)
def test_the_type_is_judged_by_the_content(content, expected):
    assert file_type(_file(content)) == expected


def test_the_name_and_the_browser_content_type_do_not_count():
    with pytest.raises(InvalidInput) as e:
        attachment_check(_file(b"MZ\x90\x00" * 10, "scan.pdf", "application/pdf"))
    assert e.value.code == "file_type_not_allowed"
    assert attachment_check(_file(pdf_bytes(), "scan.exe", "application/x-msdownload")) == (
        "application/pdf", ".pdf",
    )  # fmt: skip


def test_empty_and_oversized_files_are_refused(settings):
    with pytest.raises(InvalidInput) as e:
        attachment_check(_file(b""))
    assert e.value.code == "empty_file"
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(InvalidInput) as e:
        attachment_check(_file(pdf_bytes(pad=2000)))
    assert e.value.code == "file_too_large"


def test_a_file_is_stored_under_a_random_name_with_its_digest(online_case, carol, settings):
    content = pdf_bytes()
    attachment = attachment_add(case=online_case, material="M2", file=_file(content, "../../票据.pdf"),
                                user=carol)  # fmt: skip
    attachment.refresh_from_db()
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content) and attachment.content_type == "application/pdf"
    assert attachment.original_name == "票据.pdf"  # no path parts kept
    assert attachment.file.name.startswith("cases/") and "票据" not in attachment.file.name
    assert attachment.file.read() == content
    assert [p.name for p in stored_files(settings)] == [attachment.file.name.rsplit("/", 1)[1]]


def test_only_people_who_may_see_the_case_may_add_files(online_case, carol_applicant, alice, bob):
    other = submit(alice, "YB01003", channel="window", applicant=carol_applicant, materials=["M1"])
    with pytest.raises(NotFound):
        attachment_add(case=other, material="M1", file=_file(pdf_bytes()), user=bob)
    # A clerk scanning at the window of the office that holds it may.
    attachment_add(case=other, material="M1", file=_file(pdf_bytes()), user=alice)


def test_the_material_must_belong_to_the_item(online_case, carol):
    with pytest.raises(InvalidInput) as e:
        attachment_add(case=online_case, material="M9", file=_file(pdf_bytes()), user=carol)
    assert e.value.field == "material"
    assert not Attachment.objects.exists()


def test_a_closed_case_takes_no_more_files(online_case, carol):
    from conftest import act

    act(carol, online_case, "withdraw")
    online_case.refresh_from_db()
    with pytest.raises(Conflict):
        attachment_add(case=online_case, material="M1", file=_file(pdf_bytes()), user=carol)


def test_a_rolled_back_transaction_leaves_no_file_behind(online_case, carol, settings):
    with pytest.raises(RuntimeError), uploads_atomic():
        attachment_add(case=online_case, material="M1", file=_file(pdf_bytes()), user=carol)
        assert len(stored_files(settings)) == 1
        raise RuntimeError("the case change failed")
    assert stored_files(settings) == []
    assert not Attachment.objects.exists()
