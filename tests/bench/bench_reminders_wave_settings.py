"""Settings of the workers and beat that bench_reminders_wave.py starts: the
test settings on a queue of the benchmark's own (``WSIS_TEST_QUEUE``), with
DEBUG off as in production (no query log kept)."""

from wsis_portal.env import env_str
from wsis_portal.settings_test import *  # noqa: F403

DEBUG = False
CELERY_TASK_DEFAULT_QUEUE = env_str("WSIS_TEST_QUEUE") or "celery"
