"""Remove expired clips and settle stalled clip jobs: once, or every N seconds (`make serve` runs it so).

In production run it from cron or a scheduler (e.g. every 10 minutes); it is
safe to run on several machines at once, since each change is a conditional
update that only one of them wins.
"""

import time

from django.core.management.base import BaseCommand

from downloads.tasks import sweep


class Command(BaseCommand):
    help = "Delete expired download clips, re-queue or fail clip jobs whose worker went silent."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS", help="Repeat for ever at this interval.")

    def handle(self, *args, every: int, **options):
        while True:
            done = sweep()
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"{done['expired']} clips expired, {done['recovered']} stalled jobs settled, "
                    f"{done['abandoned']} never-started jobs failed."
                )
            if every <= 0:
                return
            time.sleep(every)
