from celery import shared_task

from . import services


@shared_task(name="notifications.send_outbox", ignore_result=True)
def send_outbox() -> dict:
    """Deliver every due outbox email (several workers may run it at once)."""
    return services.outbox_send_due()
