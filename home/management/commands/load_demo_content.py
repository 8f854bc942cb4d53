import time

from django.core.management.base import BaseCommand
from django.db import transaction

from home.demo.builder import DemoBuilder
from home.demo.loading import StoredFiles, quiet_wagtail_logs


class Command(BaseCommand):
    help = (
        "Build the bilingual demo site: the French news article and interview from the seeds with their English "
        "translations (through wagtail-localize), people, topics, generated images and short generated videos "
        "with shot lists. Running it again changes nothing."
    )

    def handle(self, *args, verbosity, **options):
        started = time.monotonic()
        files = StoredFiles()
        # Every item at -v 2; a line per kind of content otherwise.
        log = self.stdout.write if verbosity >= 2 else None
        try:
            # All or nothing: a half-built demo would be skipped as "already present" next time.
            with quiet_wagtail_logs(verbosity), transaction.atomic():
                builder = DemoBuilder(log=log, files=files)
                builder.build()
        except BaseException:
            files.delete_all()
            raise
        elapsed = time.monotonic() - started
        if verbosity:
            self.stdout.write("Demo content:")
            for line in builder.summary():
                self.stdout.write(line)
        if builder.created:
            message = f"Demo content loaded: {builder.created} item(s) created in {elapsed:.1f} s."
        else:
            message = "Demo content already present: nothing to do."
        self.stdout.write(self.style.SUCCESS(message))
