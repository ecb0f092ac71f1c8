from celery import shared_task

from .engine import run_due_boundaries


@shared_task(name="editions.tick", ignore_result=True)
def tick() -> int:
    """Runs the side effects of every phase boundary that has passed (see engine)."""
    return run_due_boundaries()
