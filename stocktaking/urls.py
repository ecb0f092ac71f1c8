from django.urls import path

from . import views

app_name = "stocktaking"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("download.csv", views.download_csv, name="download-csv"),
    path("download.json", views.download_json, name="download-json"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("mine/", views.my_entries, name="mine"),
    path("mine/new/", views.entry_create, name="create"),
    path("mine/<int:pk>/", views.entry_edit, name="edit"),
    path("mine/<int:pk>/submit/", views.entry_submit, name="submit"),
]
