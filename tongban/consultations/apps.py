from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "tongban.consultations"
    verbose_name = "咨询与政策解读"
