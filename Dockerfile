# The production image: one image, three roles (web, worker, beat) chosen by the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_STATIC_ROOT=/srv/static WSIS_VAR_DIR=/srv/var
WORKDIR /app
COPY pyproject.toml README.md ./
COPY wsis_portal wsis_portal
COPY ocp ocp
COPY prizes prizes
COPY stocktaking stocktaking
COPY photocontest photocontest
COPY partners partners
RUN pip install .
COPY . .
RUN DJANGO_PRODUCTION=true DJANGO_SECRET_KEY=collectstatic-only-$(date +%s)-not-used-at-runtime-0123456789 \
    DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 portal && mkdir -p /srv/var && chown -R portal /srv/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "wsis_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
