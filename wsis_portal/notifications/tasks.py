from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="notifications.send_outbox", ignore_result=True)
def send_outbox() -> dict:
    """Deliver every due outbox email (several workers may run it at once)."""
    return services.outbox_send_due()


# Reminders: the tick records due runs; fan-out and chunks only write outbox
# rows with a unique dedup key, so a redelivered message changes nothing.
# acks_late + reject_on_worker_lost: a message whose worker process dies is
# given back to the broker (prefork) rather than acknowledged; when the whole
# worker is killed, Redis only redelivers after its visibility timeout, and the
# tick's lease (reminders.requeue_lost_work) queues the work again sooner.
# send_outbox needs neither: the outbox rows are the state, and beat queues it
# every tick.


@shared_task(name="notifications.reminders_tick", ignore_result=True)
def reminders_tick() -> int:
    """Start the fan-out of every reminder rule that is due (see reminders.py)."""
    from .reminders import reminders_tick as tick

    return tick()


@shared_task(name="notifications.reminder_fan_out", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def reminder_fan_out(*, run_id: int) -> int:
    from .reminders import reminder_fan_out as fan_out

    return fan_out(run_id=run_id)


@shared_task(
    name="notifications.reminder_send_chunk",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def reminder_send_chunk(*, run_id: int, after_pk: int, last_pk: int) -> int:
    from .reminders import reminder_send_chunk as send_chunk

    return send_chunk(run_id=run_id, after_pk=after_pk, last_pk=last_pk)
