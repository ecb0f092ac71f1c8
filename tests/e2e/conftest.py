"""Browser tests: the system Chromium driven by Playwright against pytest-django's
live server, with axe for accessibility.

One browser per xdist worker, kept from the first browser test to the last of
a run of them; a fresh context (cookies, storage) per test. The live server runs in a thread of this process, so email
delivered to Django's locmem backend is in ``django.core.mail.outbox``.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

E2E_DIR = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Where the visitor is: far from Geneva, so their own time differs from the edition's.
VISITOR_TIMEZONE = "Asia/Tokyo"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Generous: CI runs the suite on two busy cores, browsers beside test workers.
TIMEOUT_MS = 15_000
# Playwright's sync API keeps an asyncio loop running in this thread, so Django
# refuses database access from test code (and from fixtures) beside it.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


class _Chromium:
    """One browser per worker, started by the first browser test and stopped
    after the last of a run of them (see pytest_runtest_protocol)."""

    playwright = None
    browser = None
    allowed_async_unsafe = False  # whether we set ASYNC_UNSAFE (and so must unset it)

    @classmethod
    def start(cls):
        if cls.browser is None:
            from django.db import connections
            from playwright.sync_api import sync_playwright

            # Django keeps one set of connections per thread, and another per
            # async context once an event loop runs in the thread - as
            # Playwright's does from now on. Keep using this thread's own: they
            # hold the test database's serialized contents (serialized_rollback)
            # and no second connection is left open when the database is dropped.
            in_use = {alias: connections[alias] for alias in connections}
            cls.playwright = sync_playwright().start()
            for alias, connection in in_use.items():
                connections[alias] = connection
            cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # expect() has its own timeout (5 s), apart from the contexts' one.
            from playwright.sync_api import expect

            expect.set_options(timeout=TIMEOUT_MS)
        return cls.browser

    @classmethod
    def stop(cls):
        if cls.playwright is not None:
            cls.browser.close()
            cls.playwright.stop()
            cls.playwright = cls.browser = None


def _in_e2e(item) -> bool:
    return item is not None and E2E_DIR in Path(str(item.path)).parents


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Around browser tests only (set-up, call and tear-down): allow Django's
    sync database calls beside Playwright's loop; after the last browser test
    of a run, stop the browser and take the permission back, so that the other
    tests - and the processes they start - run as usual."""
    if not _in_e2e(item):
        return (yield)
    if ASYNC_UNSAFE not in os.environ:
        os.environ[ASYNC_UNSAFE] = "true"
        _Chromium.allowed_async_unsafe = True
    try:
        return (yield)
    finally:
        if not _in_e2e(nextitem):
            _Chromium.stop()
            if _Chromium.allowed_async_unsafe:
                del os.environ[ASYNC_UNSAFE]
                _Chromium.allowed_async_unsafe = False


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return _Chromium.start()


@pytest.fixture
def new_context(browser, live_server):
    """Opens browser contexts on the live server; closed after the test."""
    contexts = []

    def open_context(*, viewport=DESKTOP, locale="en-GB", **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale=locale,
            timezone_id=VISITOR_TIMEZONE,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def login_as(live_server):
    """Signs ``user`` in for a browser context by handing it a session cookie."""

    def login(context, user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.value, "url": live_server.url}])

    return login


@pytest.fixture
def choose_language(live_server):
    """Sets the language cookie the switcher would set."""

    def choose(context, language):
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])

    return choose
