from django.urls import path

from . import agenda_views, brief_views, facilitator_views, views

app_name = "ocp"

urlpatterns = [
    path("", views.overview, name="overview"),
    # The public agenda, before the entries' "<kind>/<pk>/" addresses.
    path("agenda/", agenda_views.agenda_page, name="agenda"),
    path("agenda.ics", agenda_views.agenda_ics, name="agenda_ics"),
    path("agenda/<int:pk>/", agenda_views.session_detail, name="session"),
    path("agenda/<int:pk>.ics", agenda_views.session_ics, name="session_ics"),
    path("brief/", brief_views.brief_page, name="brief"),
    path("brief/<slug:table>.csv", brief_views.brief_csv, name="brief_csv"),
    path("facilitators/", facilitator_views.facilitators_page, name="facilitators"),
    path("calls/<int:call_id>/new/", views.entry_start, name="start"),
    path("<slug:kind>/<int:pk>/", views.entry_review, name="review"),
    path("<slug:kind>/<int:pk>/submit/", views.entry_submit, name="submit"),
    path("<slug:kind>/<int:pk>/withdraw/", views.entry_withdraw, name="withdraw"),
    path("<slug:kind>/<int:pk>/steps/<slug:step>/", views.entry_step, name="step"),
    path("<slug:kind>/<int:pk>/steps/<slug:step>/autosave/", views.entry_autosave, name="autosave"),
]
