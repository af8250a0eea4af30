# ruff: noqa: F811 - the project fixtures are imported from tongban.projects.tests.conftest
"""The investor follows its project on the portal (read only); nobody else sees it there."""

from conftest import _user
from tongban.people.models import Role
from tongban.projects.services import approval_add
from tongban.projects.tests.conftest import ada, investor, ivy, lin, project  # noqa: F401


def test_the_investor_follows_its_project(client, project, ivy, ada):
    approval_add(project=project, item="NY004", by=ada, outside={
        "issuing_body": "临清市农业农村局", "applied_on": "2025-05-10"})  # fmt: skip
    client.force_login(ivy)
    listed = client.get("/projects/").content.decode()
    assert "临清轴承产业园二期" in listed
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "动物防疫条件合格证核发" in page and "临清市农业农村局" in page
    main = page.split("<main", 1)[1].split("</main>")[0]
    assert "<form" not in main  # read only: nothing to change from the portal


def test_another_applicant_gets_404(client, project):
    from datetime import date

    from tongban.lib.identifiers import synthetic_resident_id
    from tongban.offices.models import Office
    from tongban.people.models import Applicant

    person = Applicant.objects.create(
        kind="person", id_number=synthetic_resident_id(region="371581", birth=date(1970, 1, 1)),
        name="路人", insured_region=Office.objects.get(code="371581"),
    )  # fmt: skip
    client.force_login(_user("erin", Role.APPLICANT, applicant=person))
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert "临清轴承产业园二期" not in client.get("/projects/").content.decode()
