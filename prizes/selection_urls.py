"""Champions, the experts' selection and the announced results."""

urlpatterns: list = []
