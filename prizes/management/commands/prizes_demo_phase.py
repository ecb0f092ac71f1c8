"""Move the demo tenant's current WSIS Prizes contest into one of its phases."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from prizes.demo import contest_move_to_phase
from prizes.enums import PHASE_KEYS
from prizes.selectors import contest_for_edition
from wsis_portal.editions.selectors import current_edition
from wsis_portal.tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Re-date the phases of the current edition's WSIS Prizes contest so that PHASE is open now, seed what "
        "the earlier phases produce (entries, nominees, votes, Winners) and run the passed boundaries "
        "(nominees published, the tally, the announcement). Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("phase", choices=PHASE_KEYS)
        parser.add_argument("--tenant", default="wsis", help="The tenant's slug (default: wsis).")

    def handle(self, *args, phase: str, tenant: str, **options):
        now = timezone.now()
        with scopes_disabled():
            found = Tenant.objects.filter(slug=tenant).first()
            if found is None:
                raise CommandError(f"No tenant {tenant!r}: run seed_demo first.")
            edition = current_edition(tenant=found, today=now.date())
            contest = contest_for_edition(edition=edition) if edition else None
            if contest is None:
                raise CommandError(f"The tenant {tenant!r} has no current WSIS Prizes contest: run seed_demo first.")
            try:
                counts = contest_move_to_phase(contest=contest, phase_key=phase, now=now)
            except ValueError as error:
                raise CommandError(str(error)) from error
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"{contest}: the {phase} phase is open now ({summary}).")
