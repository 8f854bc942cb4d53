"""Videos: the media asset (`Video`) and the translatable page that presents it (`VideoPage`).

A `Video` is a master file plus what we learned by probing it; it is the same
in every language. A `VideoPage` carries the words around it (summary, shot
descriptions, transcript, credits), which translators translate, while the
asset, dates and timecodes stay synchronized across translations.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.pages import HeadlessPageMixin
from taxonomy.models import people_panel, related_pages_panel, topic_panel

from .forms import VideoPageForm, video_not_ready
from .shots import validate_shot_list
from .timecode import TimecodeField, format_timecode
from .uploads import MasterUpload  # noqa: F401  (a model of this app, kept in its own module)
from .webvtt import validate_webvtt_document

logger = logging.getLogger(__name__)

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

    class State(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("master file"), upload_to="videos/masters/%Y/%m/", max_length=500, blank=True)
    # Zero and empty until the ingest of an uploaded master has read it.
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False, db_index=True)

    # Probe data: filled from the file itself by the ingest, never typed in.
    container = models.CharField(_("container"), max_length=100, blank=True, editable=False)
    duration = models.FloatField(_("duration in seconds"), default=0, editable=False)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    frame_rate = models.FloatField(_("frame rate"), default=0, editable=False)
    frame_rate_exact = models.CharField(_("exact frame rate"), max_length=20, blank=True, editable=False)
    video_codec = models.CharField(_("video codec"), max_length=50, blank=True, editable=False)
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
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROCESSING, editable=False, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress in percent"), default=0, editable=False)
    # The reason is kept as its English source sentence and translated when shown,
    # so each editor reads it in the admin's language they chose.
    failure_reason_source = models.CharField(_("reason of the failure"), max_length=255, blank=True, editable=False)
    failure_detail = models.TextField(_("technical detail of the failure"), blank=True, editable=False)
    # The ingest's sign of life (written with its progress) and how many runs took it: a worker killed
    # mid-ingest leaves it stale, and the sweep (`expire_uploads`) queues the ingest again or fails it.
    ingest_heartbeat_at = models.DateTimeField(_("ingest last seen running at"), null=True, editable=False)
    ingest_attempts = models.PositiveSmallIntegerField(_("ingest runs"), default=0, editable=False)

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
        self.state = self.State.PROCESSING
        self.progress = 0
        self.failure_reason_source = self.failure_detail = ""

    def await_ingest(self) -> None:
        """A new master is in place: the video is `processing` until a fresh run of its ingest has read it."""
        self.sha256, self.state, self.progress = "", self.State.PROCESSING, 0
        self.failure_reason_source = self.failure_detail = ""
        self.ingest_heartbeat_at, self.ingest_attempts = None, 0

    def fail(self, reason, detail: str = "") -> None:
        """Record why the ingest failed; `reason` is a (lazily) translatable sentence."""
        with override(None):
            self.failure_reason_source = str(reason)[:255]
        self.state = self.State.FAILED
        self.failure_detail = detail[-2000:]

    @property
    def failure_reason(self) -> str:
        """Why the ingest failed, in the active language."""
        return gettext(self.failure_reason_source) if self.failure_reason_source else ""

    @property
    def state_display(self) -> str:
        if self.state == self.State.PROCESSING:
            return _("Processing (%(progress)s%%)") % {"progress": self.progress}
        if self.state == self.State.FAILED:
            return _("Failed: %(reason)s") % {"reason": self.failure_reason}
        return self.get_state_display()

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

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

    def _goes_live(self) -> bool:
        """Whether this save publishes the page: makes it live, or changes which revision is live.

        Wagtail validates a page with `full_clean` whenever it saves it live
        (`Page.save`), which every publishing path does (the admin, scheduled
        publishing, `revision.publish()`, the admin API); saving a draft, or
        moving a live page, leaves its live revision as it is and is not refused.
        """
        if not self.live:
            return False
        if self.pk is None:
            return True
        stored = VideoPage.objects.filter(pk=self.pk).values_list("live", "live_revision_id").first()
        return stored != (True, self.live_revision_id)

    def publish(self, revision, *args, log_action=True, **kwargs):
        # Scheduled publishing publishes every due revision in one loop: a page whose video is not ready yet
        # stays scheduled (and goes live on a later run) rather than stopping the others with its error.
        if log_action == "wagtail.publish.scheduled":
            video = Video.objects.filter(pk=revision.as_object().video_id).first()
            if video is not None and not video.is_ready:
                logger.warning("Scheduled publishing of page %s waits for video %s to be ready", self.pk, video.pk)
                return None
        return super().publish(revision, *args, log_action=log_action, **kwargs)

    def clean(self):
        super().clean()
        if self.video_id and self._goes_live():
            video = Video.objects.get(pk=self.video_id)  # its state now, not as the page last read it
            if not video.is_ready:
                raise ValidationError({"video": video_not_ready(video)})
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
