import time

from django.core.management.base import BaseCommand, CommandError

from stocktaking.demo import seed_stocktaking
from wsis_portal.tenants.models import Tenant


class Command(BaseCommand):
    help = "Top a tenant up to COUNT synthetic published stocktaking entries (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=500)
        parser.add_argument("--tenant", default="wsis", help="The tenant's slug (default: wsis).")

    def handle(self, *args, count, tenant, **options):
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant “{tenant}”: run seed_demo first or pass --tenant.")
        started = time.monotonic()
        created = seed_stocktaking(tenant=found, count=count)
        elapsed = time.monotonic() - started
        message = f"{created} stocktaking entries created in {elapsed:.1f} s (target {count})."
        self.stdout.write(self.style.SUCCESS(message))
