"""initialize_site + loaddata, exactly once per database (the seed ran them on first boot only)."""
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from posts.models import SiteInit


class Command(BaseCommand):
    help = "Initialise the site and load fixtures, once."

    def handle(self, *args, **options):
        with transaction.atomic():
            # The lock makes two concurrent runs safe: the second waits, then sees the marker.
            if SiteInit.objects.select_for_update().exists():
                self.stdout.write("site already initialised: nothing to do")
                return
            call_command("loaddata", "initial", verbosity=0)
            SiteInit.objects.create(site_name=settings.SITE_NAME)
        self.stdout.write("site initialised")
