from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:tenant_slug>/notifications/preferences/", views.preferences, name="preferences"),
]
