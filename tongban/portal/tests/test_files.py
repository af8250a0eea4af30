"""Material files and notices are served only to people who may see the case."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import _user, act
from tongban.cases.attachments import attachment_add
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import Office
from tongban.people.models import ApiToken, Applicant, Role

from .samples import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def eve(city):
    """Another applicant."""
    applicant = Applicant.objects.create(
        kind="person", id_number=synthetic_resident_id(region="371502", birth=date(1980, 1, 1)),
        name="Eve", insured_region=Office.objects.get(code="371502"),
    )  # fmt: skip
    return _user("eve", Role.APPLICANT, applicant=applicant)


@pytest.fixture
def case_with_file(online_case, carol, alice):
    attachment = attachment_add(case=online_case, material="M1", file=upload("身份证.pdf", pdf_bytes()),
                                user=carol)  # fmt: skip
    act(alice, online_case, "accept")
    notice = online_case.notices.get()
    return online_case, attachment, notice


WHO = [
    ("carol", 200),  # the applicant
    ("alice", 200),  # the clerk who accepted it
    ("rita", 200),  # a reviewer of the handling office
    ("vera", 200),  # a city supervisor
    ("bob", 404),  # a clerk of another office, after acceptance
    ("eve", 404),  # another applicant
    ("dave", 404),  # an agent who did not apply for it
]


@pytest.mark.parametrize("who, expected", WHO)
def test_a_material_file_is_served_only_to_those_who_may_see_the_case(request, client, case_with_file, who,
                                                                      expected):  # fmt: skip
    case, attachment, _ = case_with_file
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("portal:attachment", args=[case.number, attachment.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        # Staff read it in the browser; the applicant gets their file back to save.
        disposition = "attachment;" if who in ("carol", "dave", "eve") else "inline;"
        assert response["Content-Disposition"].startswith(disposition), response[
            "Content-Disposition"
        ]
        assert "filename*=utf-8''%E8%BA%AB%E4%BB%BD%E8%AF%81.pdf" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("who, expected", WHO)
def test_a_notice_is_served_only_to_those_who_may_see_the_case(request, client, case_with_file, who,
                                                                expected):  # fmt: skip
    case, _, notice = case_with_file
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("portal:notice", args=[case.number, notice.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response.content.startswith(b"%PDF")
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_anonymous_visitors_are_sent_to_sign_in(client, case_with_file):
    case, attachment, notice = case_with_file
    for url in (reverse("portal:attachment", args=[case.number, attachment.pk]),
                reverse("portal:notice", args=[case.number, notice.pk])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))


def test_a_file_of_another_case_is_404_even_for_its_owner(client, carol, case_with_file):
    case, attachment, _ = case_with_file
    from conftest import submit

    other = submit(carol)
    client.force_login(carol)
    assert (
        client.get(reverse("portal:attachment", args=[other.number, attachment.pk])).status_code
        == 404
    )


def test_files_are_not_under_a_public_media_url(client, case_with_file, settings):
    _, attachment, _ = case_with_file
    assert (
        client.get("/" + settings.MEDIA_ROOT.name + "/" + attachment.file.name).status_code == 404
    )
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_a_notice_pdf_is_kept_once_rendered(client, carol, case_with_file, settings):
    case, _, notice = case_with_file
    client.force_login(carol)
    url = reverse("portal:notice", args=[case.number, notice.pk])
    first = client.get(url).content
    assert len(list((settings.MEDIA_ROOT / "notices").iterdir())) == 1
    assert client.get(url).content == first


class TestTheApiUrl:
    """/api/v1/cases/{number}/notices/{id}.pdf, the URL the API lists for each notice."""

    def url(self, case, notice):
        return f"/api/v1/cases/{case.number}/notices/{notice.pk}.pdf"

    def test_it_serves_the_pdf_to_a_bearer_token(self, client, carol, case_with_file):
        case, _, notice = case_with_file
        token = ApiToken.issue(carol)
        response = client.get(self.url(case, notice), headers={"Authorization": f"Bearer {token}",
                                                              "Accept": "application/pdf"})  # fmt: skip
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment;")

    def test_it_serves_the_pdf_to_a_session(self, client, alice, case_with_file):
        case, _, notice = case_with_file
        client.force_login(alice)
        assert client.get(self.url(case, notice)).status_code == 200

    def test_it_answers_json_errors(self, client, alice, bob, case_with_file):
        case, _, notice = case_with_file
        response = client.get(self.url(case, notice), headers={"Accept": "application/pdf"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        token = ApiToken.issue(bob)
        response = client.get(self.url(case, notice), headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "case_not_found"
        response = client.get(f"/api/v1/cases/{case.number}/notices/999999.pdf",
                              headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})  # fmt: skip
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "notice_not_found"
        response = client.get(f"/api/v1/cases/{case.number}/notices/{10**30}.pdf",
                              headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})  # fmt: skip
        assert response.status_code == 404


def test_only_pdfs_and_images_open_in_the_browser():
    from tongban.lib.http import private_download

    png = private_download(b"\x89PNG", filename="a.png", content_type="image/png", inline=True)
    assert png["Content-Disposition"].startswith("inline;")
    assert png["Content-Security-Policy"] == "default-src 'none'; sandbox"
    pdf = private_download(
        b"%PDF-1.4", filename="a.pdf", content_type="application/pdf", inline=True
    )
    assert (
        pdf["Content-Disposition"].startswith("inline;")
        and "sandbox" not in pdf["Content-Security-Policy"]
    )
    assert "script-src" not in pdf["Content-Security-Policy"]  # default-src 'none' covers scripts
    other = private_download(b"<html>", filename="a.html", content_type="text/html", inline=True)
    assert other["Content-Disposition"].startswith("attachment;")
    assert other["Content-Security-Policy"] == "default-src 'none'; sandbox"
