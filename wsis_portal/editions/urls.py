from django.urls import path

from . import views

app_name = "editions"

urlpatterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("editions/<int:year>/", views.edition_detail, name="edition_detail"),
    path("my-submissions/", views.my_submissions, name="my_submissions"),
]
