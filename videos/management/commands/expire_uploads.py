"""Abort resumable uploads left incomplete for more than a day: their bytes and their `uploading` videos go.

The same sweep recovers ingests a killed worker left `processing` (`videos.tasks.recover_stalled_ingests`)."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from videos.tasks import recover_stalled_ingests
from videos.uploads import MasterUpload


def sweep_uploads(*, now=None) -> int:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.VIDEOS_UPLOAD_TTL)
    stale = list(MasterUpload.objects.select_related("video").filter(created_at__lt=cutoff))
    for upload in stale:
        upload.discard()
    return len(stale)


class Command(BaseCommand):
    help = (
        "Abort and clean resumable video uploads left incomplete for more than a day; "
        "queue again (or fail) ingests whose worker died."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS", help="Repeat for ever at this interval.")

    def handle(self, *args, every: int, **options):
        while True:
            aborted = sweep_uploads()
            queued, failed = recover_stalled_ingests()
            if options["verbosity"] > 0:
                self.stdout.write(f"{aborted} incomplete uploads aborted.")
                self.stdout.write(f"{queued} stalled ingests queued again, {failed} failed.")
            if every <= 0:
                return
            time.sleep(every)
