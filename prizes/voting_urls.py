"""Public online voting: category pages, the vote itself, "My votes"."""

urlpatterns: list = []
