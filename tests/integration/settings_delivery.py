"""Settings of the worker and beat that the delivery-guarantee tests start
(tests/integration/test_reminder_delivery.py): the test settings, with leases,
claim timeout, backoff and chunks shrunk from minutes to seconds, and a queue of
the test's own (``WSIS_TEST_QUEUE``) so that parallel runs on one Redis never
take each other's messages."""

from wsis_portal.env import env_str
from wsis_portal.settings_test import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = env_str("WSIS_TEST_QUEUE") or "celery"
# Small chunks: a fan-out of a few hundred recipients has many chunks to kill a worker in.
REMINDER_CHUNK_SIZE = 10
# A chunk or fan-out not done 6 s after it was queued is queued again by the tick.
REMINDER_LEASE_SECONDS = 6
# A row left "sending" by a killed worker is claimed again after 8 s (10 minutes in production).
OUTBOX_CLAIM_TIMEOUT_SECONDS = 8
# The first retry of a transient SMTP error comes 1 s later (30 s in production), then 2 s, 4 s...
OUTBOX_RETRY_BASE_SECONDS = 1
OUTBOX_BATCH_SIZE = 20
