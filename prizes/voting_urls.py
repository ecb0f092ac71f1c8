"""Public online voting: category pages, the vote itself, "My votes"."""

from django.urls import path

from . import voting_views

urlpatterns: list = [
    path("voting/", voting_views.voting_index, name="voting"),
    path("voting/categories/<int:pk>/", voting_views.voting_category, name="voting_category"),
    path("voting/categories/<int:pk>/vote/", voting_views.vote, name="vote"),
    path("voting/my-votes/", voting_views.my_votes, name="my_votes"),
    path("voting/dashboard/", voting_views.voting_dashboard, name="voting_dashboard"),
]
