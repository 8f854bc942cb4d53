"""Downloads: the audit record of each granted download, the clip jobs workers cut, the masters' packet indexes.

These tables were created by the `videos` app and keep their names
(`db_table`): the move to this app changed Django's state, not the database
(migrations `videos.0004` and `downloads.0001`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from videos.models import Video
from videos.timecode import format_timecode


class DownloadJob(models.Model):
    """A clip of a master, cut by a worker and shared by every identical request until it expires.

    Identical requests (video, in and out points, mode) while a job is queued,
    running or ready reuse it: the partial unique constraint says so to the
    database, so two simultaneous requests cannot start two cuts.
    """

    class Mode(models.TextChoices):
        FAST = "fast", _("Fast (cut on keyframes)")
        EXACT = "exact", _("Exact (re-encoded)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.READY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # SET_NULL: a video deleted while its job waits makes the job fail cleanly, not vanish.
    video = models.ForeignKey(
        Video, verbose_name=_("video"), null=True, on_delete=models.SET_NULL, related_name="download_jobs"
    )
    start_ms = models.PositiveBigIntegerField(_("requested in point (ms)"))
    end_ms = models.PositiveBigIntegerField(_("requested out point (ms)"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("progress (%)"), default=0)
    clip_start_ms = models.PositiveBigIntegerField(_("actual in point (ms)"), null=True, blank=True)
    clip_end_ms = models.PositiveBigIntegerField(_("actual out point (ms)"), null=True, blank=True)
    stream_copied = models.BooleanField(_("stream copied"), default=False)
    file = models.FileField(_("clip file"), upload_to="downloads/clips/", blank=True, max_length=500)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heard from worker"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)

    class Meta:
        db_table = "videos_downloadjob"
        verbose_name = _("clip job")
        verbose_name_plural = _("clip jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["video", "start_ms", "end_ms", "mode"],
                condition=models.Q(status__in=["queued", "running", "ready"]),
                name="one_active_clip_per_range",
            ),
            models.CheckConstraint(condition=models.Q(start_ms__lt=models.F("end_ms")), name="clip_in_before_out"),
        ]

    def __str__(self):
        return f"{self.video or '—'} {format_timecode(self.start_ms)}–{format_timecode(self.end_ms)} ({self.mode})"


class Download(models.Model):
    """The audit record of one granted download, written before the link is handed out.

    Who and what are copied as text as well as linked, so the record keeps
    its meaning after the account or the video is deleted.
    """

    class Kind(models.TextChoices):
        FULL = "full", _("Full master")
        CLIP = "clip", _("Clip")
        SHOTS = "shots", _("Shots")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="downloads",
    )
    user_email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    video = models.ForeignKey(
        Video, verbose_name=_("video"), null=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    video_title = models.CharField(_("video title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=DownloadJob.Mode.choices, blank=True)
    start_ms = models.PositiveBigIntegerField(_("in point (ms)"), null=True, blank=True)
    end_ms = models.PositiveBigIntegerField(_("out point (ms)"), null=True, blank=True)
    shot_ids = models.JSONField(_("shots"), default=list, blank=True)
    job = models.ForeignKey(
        DownloadJob,
        verbose_name=_("clip job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="downloads",
    )
    size = models.PositiveBigIntegerField(_("bytes"), default=0, help_text=_("Counted against the daily quota."))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.GRANTED)
    failure_reason = models.CharField(_("failure reason"), max_length=100, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        db_table = "videos_download"
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="download_user_time")]

    def __str__(self):
        return f"{self.user_email} · {self.video_title} · {self.get_kind_display()}"

    @property
    def range_display(self) -> str:
        if self.start_ms is None or self.end_ms is None:
            return ""
        return f"{format_timecode(self.start_ms)}–{format_timecode(self.end_ms)}"


# --- Packet index ---------------------------------------------------------------------------------------------------


class PacketIndex(models.Model):
    """Where each packet of a master lies (``downloads.packet_index``), so clips are cut without opening the master.

    Built from one master file: it only counts for the video while that file
    (name, size and SHA-256) is still the video's, and goes with the video.
    """

    video = models.OneToOneField(Video, verbose_name=_("video"), on_delete=models.CASCADE, related_name="packet_index")
    master_name = models.CharField(_("master file"), max_length=500)
    master_size = models.PositiveBigIntegerField(_("master size in bytes"))
    master_sha256 = models.CharField(_("master SHA-256"), max_length=64)
    version = models.PositiveSmallIntegerField(_("format version"))
    streams = models.JSONField(_("streams"))
    origin = models.FloatField(_("start time in seconds"))
    frame_rate = models.CharField(_("exact frame rate"), max_length=20)
    keyframe_gap = models.FloatField(_("longest keyframe interval in seconds"))
    first_chunk = models.IntegerField(_("first chunk"))
    last_chunk = models.IntegerField(_("last chunk"))
    template = models.BinaryField(_("stream template"))
    packet_count = models.PositiveIntegerField(_("packets"))
    stored_bytes = models.PositiveBigIntegerField(_("stored bytes"))
    build_seconds = models.FloatField(_("build time in seconds"))
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    class Meta:
        db_table = "videos_packetindex"
        verbose_name = _("packet index")
        verbose_name_plural = _("packet indexes")

    def __str__(self):
        return f"{self.master_name} ({self.packet_count} packets)"

    @classmethod
    def build(cls, video, path) -> "PacketIndex | None":
        """Index ``path``, a local copy of ``video``'s master, and store it in place of any older index.

        Returns None when the video's master changed meanwhile (a newer
        index will be built for the new one). Raises ``ValueError`` for
        masters clips are not cut from in-process, libav errors for damaged ones.
        """
        import time

        from django.db import transaction

        from . import packet_index

        name, size, sha256 = video.file.name, video.file_size, video.sha256
        started = time.perf_counter()
        built = packet_index.build(path)
        seconds = time.perf_counter() - started
        first_chunk, last_chunk = built.chunk_range
        with transaction.atomic():
            if not Video.objects.select_for_update().filter(pk=video.pk, file=name, file_size=size, sha256=sha256):
                return None
            cls.objects.filter(video=video).delete()
            index = cls.objects.create(
                video=video,
                master_name=name,
                master_size=size,
                master_sha256=sha256,
                version=packet_index.FORMAT_VERSION,
                streams=[stream.as_json() for stream in built.streams],
                origin=built.origin,
                frame_rate=f"{built.frame_rate.numerator}/{built.frame_rate.denominator}",
                keyframe_gap=built.keyframe_gap,
                first_chunk=first_chunk,
                last_chunk=last_chunk,
                template=built.template,
                packet_count=built.packets,
                stored_bytes=built.stored_bytes,
                build_seconds=seconds,
            )
            PacketIndexChunk.objects.bulk_create(
                (
                    PacketIndexChunk(index=index, stream=stream, number=number, records=records)
                    for (stream, number), records in built.chunks.items()
                ),
                batch_size=500,
            )
        return index

    @classmethod
    def for_clips(cls, video):
        """``video``'s packet index as ``downloads.clips`` reads it, or None when it has none for its current master."""
        from fractions import Fraction

        from . import packet_index

        index = cls.objects.filter(video=video).first()
        if index is None or not index.matches(video):
            return None
        chunks = PacketIndexChunk.objects.filter(index=index)

        def fetch(first: int, last: int):
            rows = chunks.filter(number__gte=first, number__lte=last).values_list("stream", "number", "records")
            return [(stream, number, bytes(records)) for stream, number, records in rows]

        return packet_index.MasterIndex(
            streams=[packet_index.IndexedStream.from_json(stream) for stream in index.streams],
            origin=index.origin,
            frame_rate=Fraction(index.frame_rate),
            keyframe_gap=index.keyframe_gap,
            template=bytes(index.template),
            first_chunk=index.first_chunk,
            last_chunk=index.last_chunk,
            fetch=fetch,
        )

    def matches(self, video) -> bool:
        """Whether this index describes ``video``'s current master."""
        from .packet_index import FORMAT_VERSION

        return (self.version, self.master_name, self.master_size, self.master_sha256) == (
            FORMAT_VERSION,
            video.file.name,
            video.file_size,
            video.sha256,
        )


class PacketIndexChunk(models.Model):
    """The packet records of one stream over ``CHUNK_SECONDS`` of decode time, packed and compressed."""

    index = models.ForeignKey(
        PacketIndex, verbose_name=_("packet index"), on_delete=models.CASCADE, related_name="chunks"
    )
    stream = models.PositiveSmallIntegerField(_("stream"))
    number = models.IntegerField(_("chunk"))
    records = models.BinaryField(_("records"))

    class Meta:
        db_table = "videos_packetindexchunk"
        verbose_name = _("packet index chunk")
        verbose_name_plural = _("packet index chunks")
        constraints = [
            # Also the index a cut reads through: (index, chunk range).
            models.UniqueConstraint(fields=["index", "number", "stream"], name="one_packet_chunk_per_stream"),
        ]

    def __str__(self):
        return f"{self.index_id}/{self.stream}/{self.number}"
