"""The files a newcomer and an operator meet: compose file, Procfile, README commands."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_docker_compose_describes_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert sorted(services) == ["beat", "mailpit", "migrate", "postgres", "redis", "web", "worker"]
    assert services["web"]["command"].startswith("gunicorn wsis_portal.wsgi:application")
    assert services["worker"]["command"].startswith("celery -A wsis_portal worker")
    assert services["beat"]["command"].startswith("celery -A wsis_portal beat")
    environment = services["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"


def test_procfile_runs_web_worker_and_beat():
    processes = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert sorted(processes) == ["beat", "web", "worker"]


def test_readme_keeps_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme


def test_readme_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    settings_source = (ROOT / "wsis_portal" / "settings.py").read_text()
    import re

    variables = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', settings_source))
    assert variables, "settings read no variables?"
    missing = sorted(variable for variable in variables if f"`{variable}`" not in readme)
    assert missing == []
