"""Settings of the gunicorn benchmarks: the production settings (driven by the
environment the harness sets), plus allauth trusting one proxy, so that its
rate limits count each simulated client by the address the load generator
puts in X-Forwarded-For, as behind a real reverse proxy; without it every
login of the benchmark would come from 127.0.0.1 and hit "30/m/ip"."""

from wsis_portal.settings import *  # noqa: F403

ALLAUTH_TRUSTED_PROXY_COUNT = 1

# The portal's URLs plus the bare insert view the voting benchmark calibrates with.
ROOT_URLCONF = "bench.urls"
