import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from stocktaking.demo import seed_stocktaking
from stocktaking.models import Entry, EntryCountry
from wsis_portal.tenants.models import Tenant


def _vacuum_analyze() -> None:
    """After a bulk load (every row written twice: inserted, then its search
    vector): fresh statistics and visibility maps, so that the planner picks
    the search and link-table indexes and counts read the index only."""
    tables = [Entry._meta.db_table, EntryCountry._meta.db_table] + [
        Entry._meta.get_field(name).remote_field.through._meta.db_table
        for name in ("action_lines", "sdgs", "regions", "collections")
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


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
        if created and connection.vendor == "postgresql" and not connection.in_atomic_block:
            _vacuum_analyze()
        elapsed = time.monotonic() - started
        message = f"{created} stocktaking entries created in {elapsed:.1f} s (target {count})."
        self.stdout.write(self.style.SUCCESS(message))
