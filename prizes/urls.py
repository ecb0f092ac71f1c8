from django.urls import path

from . import nomination_views, selection_urls, views, voting_urls

app_name = "prizes"

# The voting pages first: in a voting month they take most of the requests,
# and Django tries the patterns in order.
urlpatterns = voting_urls.urlpatterns + [
    path("", views.overview, name="overview"),
    path("entries/new/", views.entry_start, name="start"),
    path("entries/<int:pk>/", views.entry_review, name="review"),
    path("entries/<int:pk>/submit/", views.entry_submit, name="submit"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="withdraw"),
    path("entries/<int:pk>/steps/<slug:step>/", views.entry_step, name="step"),
    path("entries/<int:pk>/steps/<slug:step>/autosave/", views.entry_autosave, name="autosave"),
    path("review/", nomination_views.review_categories, name="review_categories"),
    path("review/<int:pk>/", nomination_views.review_category, name="review_category"),
    path("review/<int:pk>/entries/<int:entry_pk>/", nomination_views.review_score, name="review_score"),
    path("nominees/", nomination_views.nominees, name="nominees"),
]

urlpatterns += selection_urls.urlpatterns
