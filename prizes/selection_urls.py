"""Champions, the experts' selection and the announced results."""

from django.urls import path

from . import selection_views

urlpatterns: list = [
    path("selection/", selection_views.expert_categories, name="expert_categories"),
    path("selection/<int:pk>/", selection_views.expert_category, name="expert_category"),
    path("results/", selection_views.results, name="results"),
    path("success-stories/", selection_views.success_stories, name="success_stories"),
]
