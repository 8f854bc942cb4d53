"""Build the packet index of masters that have none, or none for their current file: masters from before indexes.

New masters get theirs when they are ingested (``make_video_derivatives``);
a clip job also queues one for a master it had to cut without. This command
does the backlog in one go, here or (``--enqueue``) on the workers. On S3
each master is downloaded once to be indexed.
"""

from django.core.management.base import BaseCommand

from downloads import packet_index
from downloads.models import PacketIndex
from downloads.tasks import build_packet_index, index_packets
from videos.files import local_path
from videos.models import Video


class Command(BaseCommand):
    help = "Build missing or stale packet indexes of video masters, so that fast clips do not open the master."

    def add_arguments(self, parser):
        parser.add_argument("videos", nargs="*", type=int, metavar="VIDEO_ID", help="Only these videos (default: all).")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild current indexes too.")
        parser.add_argument("--enqueue", action="store_true", help="Queue one task per video instead of working here.")

    def handle(self, *args, videos: list[int], rebuild: bool, enqueue: bool, **options):
        queryset = Video.objects.order_by("pk").select_related("packet_index")
        if videos:
            queryset = queryset.filter(pk__in=videos)
        counts = {"built": 0, "queued": 0, "current": 0, "unsupported": 0, "failed": 0}
        for video in queryset.iterator(chunk_size=100):
            outcome = self._index(video, rebuild=rebuild, enqueue=enqueue)
            counts[outcome] += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{video.pk} {video.file.name}: {outcome}")
        if options["verbosity"] > 0:
            self.stdout.write(", ".join(f"{count} {outcome}" for outcome, count in counts.items()) + ".")

    def _index(self, video, *, rebuild: bool, enqueue: bool) -> str:
        if not packet_index.supports(video.file.name):
            return "unsupported"
        current = getattr(video, "packet_index", None)
        if not rebuild and current is not None and current.matches(video):
            return "current"
        if enqueue:
            if rebuild:
                PacketIndex.objects.filter(video=video).delete()
            build_packet_index.enqueue(video.pk)
            return "queued"
        with local_path(video.file) as master:
            return "built" if index_packets(video, master) else "failed"
