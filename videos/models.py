"""Videos: the media asset (`Video`) and the translatable page that presents it (`VideoPage`).

A `Video` is a master file plus what we learned by probing it; it is the same
in every language. A `VideoPage` carries the words around it (summary, shot
descriptions, transcript, credits), which translators translate, while the
asset, dates and timecodes stay synchronized across translations.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.pages import HeadlessPageMixin
from taxonomy.models import people_panel, related_pages_panel, topic_panel

from .forms import VideoPageForm
from .shots import validate_shot_list
from .timecode import TimecodeField, format_timecode
from .webvtt import validate_webvtt_document

# Fields copied as they are from `videos.media.MediaProbe`.
PROBED_FIELDS = [
    "container",
    "duration",
    "width",
    "height",
    "frame_rate",
    "frame_rate_exact",
    "video_codec",
    "video_profile",
    "pixel_format",
    "audio_codec",
    "all_intra",
    "keyframe_interval",
    "keyframe_count",
]


class Video(index.Indexed, models.Model):
    """A broadcast master and the facts probed from it on upload."""

    class Processing(models.TextChoices):
        PENDING = "pending", _("Waiting for poster and preview")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Poster or preview failed")

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("master file"), upload_to="videos/masters/%Y/%m/", max_length=500)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)

    # Probe data: filled from the file itself on upload, never typed in.
    container = models.CharField(_("container"), max_length=100, editable=False)
    duration = models.FloatField(_("duration in seconds"), editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    frame_rate = models.FloatField(_("frame rate"), editable=False)
    frame_rate_exact = models.CharField(_("exact frame rate"), max_length=20, editable=False)
    video_codec = models.CharField(_("video codec"), max_length=50, editable=False)
    video_profile = models.CharField(_("video profile"), max_length=100, blank=True, editable=False)
    pixel_format = models.CharField(_("pixel format"), max_length=50, blank=True, editable=False)
    audio_codec = models.CharField(_("audio codec"), max_length=50, blank=True, editable=False)
    audio_channels = models.PositiveSmallIntegerField(_("audio channels"), null=True, editable=False)
    audio_sample_rate = models.PositiveIntegerField(_("audio sample rate"), null=True, editable=False)
    bit_rate = models.PositiveBigIntegerField(_("bit rate"), null=True, editable=False)
    frame_count = models.PositiveIntegerField(_("frames"), null=True, editable=False)
    all_intra = models.BooleanField(
        _("every frame is a keyframe"),
        default=False,
        editable=False,
        help_text=_("Intra-only masters (ProRes, DNxHD, AVC-Intra) can be cut on any frame."),
    )
    keyframe_interval = models.FloatField(_("longest keyframe interval in seconds"), default=0, editable=False)
    keyframe_count = models.PositiveIntegerField(_("keyframes"), default=0, editable=False)

    # Derivatives, made by a background task after upload.
    poster = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster frame"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proxy = models.FileField(
        _("preview proxy"), upload_to="videos/proxies/", blank=True, max_length=500, editable=False
    )
    processing = models.CharField(
        _("processing"),
        max_length=10,
        choices=Processing.choices,
        default=Processing.PENDING,
        editable=False,
    )
    processing_error = models.TextField(_("processing error"), blank=True, editable=False)

    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.FilterField("video_codec"),
    ]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title

    def apply_probe(self, probe, *, size: int, sha256: str) -> None:
        """Record what probing a new master found; its poster and proxy must be made again."""
        self.file_size = size
        self.sha256 = sha256
        for field in PROBED_FIELDS:
            setattr(self, field, getattr(probe, field) if getattr(probe, field) is not None else "")
        self.audio_channels = probe.audio_channels
        self.audio_sample_rate = probe.audio_sample_rate
        self.bit_rate = probe.bit_rate
        self.frame_count = probe.frame_count
        self.processing = self.Processing.PENDING
        self.processing_error = ""

    @property
    def duration_ms(self) -> int:
        return round(self.duration * 1000)

    @property
    def resolution(self) -> str:
        return f"{self.width}×{self.height}"

    @property
    def duration_display(self) -> str:
        return format_timecode(self.duration_ms)


class VideoIndexPage(HeadlessPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["videos.VideoPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("video index")


class VideoPage(HeadlessPageMixin, Page):
    video = models.ForeignKey(Video, verbose_name=_("video"), on_delete=models.PROTECT, related_name="pages")
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    credits = models.TextField(_("credits"), blank=True, help_text=_("Camera, editing, production."))
    copyright = models.CharField(_("copyright"), max_length=255, blank=True)
    usage_restrictions = models.TextField(
        _("usage restrictions"),
        blank=True,
        help_text=_("What media professionals may and may not do with this video."),
    )
    poster_override = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to use the frame taken from the video."),
    )

    override_translatable_fields = [
        SynchronizedField("video", overridable=False),
        SynchronizedField("recorded_on", overridable=False),
        SynchronizedField("copyright"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("video"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("recorded_on"), FieldPanel("place")])],
            heading=_("When and where"),
        ),
        FieldPanel("summary"),
        InlinePanel("shots", heading=_("Shot list"), label=_("Shot")),
        FieldPanel("transcript"),
        InlinePanel("caption_tracks", heading=_("Captions"), label=_("Caption track")),
        MultiFieldPanel(
            [FieldPanel("credits"), FieldPanel("copyright"), FieldPanel("usage_restrictions")],
            heading=_("Credits and rights"),
        ),
        FieldPanel("poster_override"),
        people_panel(heading=_("People featured")),
        topic_panel(),
        related_pages_panel(),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("transcript"),
        index.SearchField("place"),
        index.RelatedFields("shots", [index.SearchField("description")]),
        index.FilterField("recorded_on"),
    ]
    parent_page_types = ["videos.VideoIndexPage"]
    subpage_types = []
    base_form_class = VideoPageForm

    class Meta:
        verbose_name = _("video page")
        verbose_name_plural = _("video pages")

    @property
    def poster(self):
        return self.poster_override or self.video.poster

    def clean(self):
        super().clean()
        if self.video_id:
            # The admin form reports these next to each shot; this catches the
            # same mistakes when pages are built in code (imports, the demo loader).
            problems = validate_shot_list(
                self.video.duration_ms, [(shot.in_point, shot.out_point) for shot in self.shots.all()]
            )
            if problems:
                raise ValidationError([problem.describe() for problem in problems])


class VideoShot(TranslatableMixin, Orderable):
    """One shot of the shot list: in and out points, what it shows, who speaks."""

    page = ParentalKey(VideoPage, on_delete=models.CASCADE, related_name="shots")
    in_point = TimecodeField(_("in"))
    out_point = TimecodeField(_("out"))
    description = models.TextField(_("description"))
    speaker = models.ForeignKey(
        "taxonomy.Person",
        verbose_name=_("soundbite speaker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Timecodes describe the asset, which is the same in every language.
    translatable_fields = [
        SynchronizedField("in_point", overridable=False),
        SynchronizedField("out_point", overridable=False),
        TranslatableField("description"),
        SynchronizedField("speaker", overridable=False),
    ]
    panels = [
        FieldRowPanel([FieldPanel("in_point"), FieldPanel("out_point")]),
        FieldPanel("description"),
        FieldPanel("speaker"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("shot")
        verbose_name_plural = _("shots")

    def __str__(self):
        return f"{format_timecode(self.in_point)}–{format_timecode(self.out_point)}"


class VideoCaptionTrack(Orderable):
    """A WebVTT caption file in one language, shared by every translation of the page."""

    page = ParentalKey(VideoPage, on_delete=models.CASCADE, related_name="caption_tracks")
    locale = models.ForeignKey(
        "wagtailcore.Locale", verbose_name=_("language"), on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("WebVTT file"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A .vtt caption file uploaded to Documents."),
    )

    panels = [FieldRowPanel([FieldPanel("locale"), FieldPanel("document")])]

    class Meta(Orderable.Meta):
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")

    def clean(self):
        super().clean()
        if self.document_id:
            validate_webvtt_document(self.document)


# --- Downloads ------------------------------------------------------------------------------------------------------


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
    """Where each packet of a master lies (``videos.packet_index``), so clips are cut without opening the master.

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
        """``video``'s packet index as ``videos.clips`` reads it, or None when it has none for its current master."""
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
        verbose_name = _("packet index chunk")
        verbose_name_plural = _("packet index chunks")
        constraints = [
            # Also the index a cut reads through: (index, chunk range).
            models.UniqueConstraint(fields=["index", "number", "stream"], name="one_packet_chunk_per_stream"),
        ]

    def __str__(self):
        return f"{self.index_id}/{self.stream}/{self.number}"
