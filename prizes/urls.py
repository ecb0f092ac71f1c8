from django.urls import path

from . import views

app_name = "prizes"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("entries/new/", views.entry_start, name="start"),
    path("entries/<int:pk>/", views.entry_review, name="review"),
    path("entries/<int:pk>/submit/", views.entry_submit, name="submit"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="withdraw"),
    path("entries/<int:pk>/steps/<slug:step>/", views.entry_step, name="step"),
    path("entries/<int:pk>/steps/<slug:step>/autosave/", views.entry_autosave, name="autosave"),
]
