from django.apps import AppConfig


class SampleappConfig(AppConfig):
    """A programme app that exists only in tests: a concrete Submission and a
    phase-boundary side effect, to test the platform without a real programme."""

    name = "tests.sampleapp"
    label = "sampleapp"

    def ready(self) -> None:
        from . import boundaries  # noqa: F401
