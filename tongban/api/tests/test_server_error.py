import json

from django.test import RequestFactory

from tongban.lib.error_pages import server_error


def test_an_api_crash_answers_in_the_error_shape():
    response = server_error(RequestFactory().get("/api/v1/cases"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"


def test_a_page_crash_keeps_the_html_page():
    response = server_error(RequestFactory().get("/desk/"))
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
