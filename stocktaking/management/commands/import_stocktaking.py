import csv
import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from stocktaking.enums import EntryStatus
from stocktaking.importer import COLUMNS, import_rows, missing_columns, read_csv
from wsis_portal.tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Create or update stocktaking entries from a CSV file of the legacy database, by external id "
        "(safe to run again); rejected rows are listed with their line number and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=f"UTF-8 CSV with the columns: {', '.join(COLUMNS)}.")
        parser.add_argument("--tenant", default="wsis", help="The tenant's slug (default: wsis).")
        parser.add_argument(
            "--status",
            choices=[EntryStatus.PUBLISHED, EntryStatus.PENDING],
            default=EntryStatus.PUBLISHED,
            help="Status of new entries: published (default; the legacy data was moderated) or pending.",
        )

    def handle(self, *args, file, tenant, status, **options):
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant “{tenant}”.")
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                header = next(csv.reader(handle), [])
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        missing = missing_columns(header)
        if missing:
            raise CommandError(f"Missing column(s) in {file}: {', '.join(missing)}.")
        started = time.monotonic()
        with scopes_disabled():
            report = import_rows(read_csv(file), tenant=found, status=status)
        elapsed = time.monotonic() - started
        rate = (report.imported + report.unchanged) / elapsed if elapsed else 0
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.rejected)} rejected "
            f"in {elapsed:.1f} s ({rate:.0f} rows/s)."
        )
        for rejected in report.rejected:
            who = f" ({rejected.external_id})" if rejected.external_id else ""
            self.stdout.write(f"line {rejected.line}{who}: {'; '.join(rejected.reasons)}")
