from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "tongban.projects"
