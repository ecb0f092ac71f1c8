from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from wsis_portal.editions.demo import seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo tenant, its editions and a user of every role (safe to run again)."

    def handle(self, *args, **options):
        result = seed_demo(now=timezone.now())
        tenant = result["tenant"]
        self.stdout.write(self.style.SUCCESS(f"Demo tenant “{tenant.name}”: {settings.SITE_URL}/{tenant.slug}/"))
        for edition in result["editions"]:
            self.stdout.write(
                f"  {edition.title}: final week {edition.starts_on:%d %b %Y} - {edition.ends_on:%d %b %Y}"
            )
        if result.get("ocp"):
            counts = ", ".join(f"{count} {kind}" for kind, count in result["ocp"].items())
            self.stdout.write(f"  Open Consultation Process {result['editions'][0].year}: {counts}")
        self.stdout.write(f"Demo logins (password “{result['password']}”):")
        for email, role in result["logins"]:
            self.stdout.write(f"  {email:<26} {role}")
        self.stdout.write(f"Administration: {settings.SITE_URL}/admin/ (staff set up a second factor on first visit)")
