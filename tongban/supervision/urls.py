app_name = "supervision"
urlpatterns = []
