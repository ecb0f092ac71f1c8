from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("my-data/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="delete"),
]
