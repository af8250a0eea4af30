"""The portal's key-project pages: the investor's verified account follows its projects (the
board, read only). Who sees which project is tongban.projects.access'; the board is
tongban.projects.selectors.project_board, as on the desk and in the API."""

from django.shortcuts import render

from tongban.projects.access import project_for
from tongban.projects.selectors import project_board, projects_list

from .access import portal_login_required


@portal_login_required
def projects(request):
    rows = list(projects_list(request.user)[:100])
    return render(request, "portal/projects.html", {"rows": rows})


@portal_login_required
def project(request, pk: int):
    project = project_for(request.user, pk)
    return render(
        request, "portal/project.html", {"project": project, "board": project_board(project)}
    )
