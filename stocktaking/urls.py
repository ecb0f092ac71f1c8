from django.urls import path

from . import prize_link, report_views, search_views, views

app_name = "stocktaking"

urlpatterns = [
    path("", search_views.search_page, name="search"),
    path("download.csv", views.download_csv, name="download-csv"),
    path("download.json", views.download_json, name="download-json"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/prizes/", prize_link.prize_enter, name="prize-enter"),
    path("reports/", report_views.reports_index, name="reports"),
    path("reports/<slug:region>/<int:year>/", report_views.region_report, name="report"),
    path("collections/", report_views.collections_index, name="collections"),
    path("collections/<slug:slug>/", report_views.collection_detail, name="collection"),
    path("mine/", views.my_entries, name="mine"),
    path("mine/new/", views.entry_create, name="create"),
    path("mine/<int:pk>/", views.entry_edit, name="edit"),
    path("mine/<int:pk>/submit/", views.entry_submit, name="submit"),
    path("mine/<int:pk>/confirm/", views.entry_confirm, name="confirm"),
]
