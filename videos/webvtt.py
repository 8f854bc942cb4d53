"""Validation of WebVTT caption files, read with webvtt-py.

webvtt-py rejects a file without the WEBVTT header but silently skips cue
lines it cannot parse and accepts reversed cue times, so the checks that
matter to players are added here.
"""

import io

import webvtt
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .timecode import parse_timecode

MAX_CAPTION_BYTES = 5 * 1024 * 1024


def validate_webvtt_text(text: str) -> int:
    """Raise ValidationError unless `text` is a usable WebVTT file; return its cue count."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise ValidationError(_("This is not a WebVTT file: it must start with “WEBVTT”."), code="not_webvtt")
    declared_cues = text.count("-->")
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as error:  # webvtt-py raises several unrelated exception types
        raise ValidationError(_("This WebVTT file cannot be read: %(error)s") % {"error": error}) from error
    if not captions:
        raise ValidationError(_("This WebVTT file has no captions."), code="empty")
    if len(captions) != declared_cues:
        raise ValidationError(_("Some cue timings in this WebVTT file are malformed."), code="malformed_cue")
    for number, caption in enumerate(captions, start=1):
        if parse_timecode(caption.end) <= parse_timecode(caption.start):
            raise ValidationError(
                _("Caption %(number)d ends before it starts (%(start)s --> %(end)s).")
                % {"number": number, "start": caption.start, "end": caption.end},
                code="reversed_cue",
            )
    return len(captions)


def validate_webvtt_document(document) -> None:
    """Check a Wagtail document chosen as a caption track."""
    if not document.file.name.lower().endswith(".vtt"):
        raise ValidationError({"document": _("Choose a .vtt caption file.")})
    if document.file.size > MAX_CAPTION_BYTES:
        raise ValidationError({"document": _("Caption files are limited to 5 MB.")})
    with document.file.open("rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError({"document": _("WebVTT files must be UTF-8 text.")}) from error
    try:
        validate_webvtt_text(text)
    except ValidationError as error:
        raise ValidationError({"document": error.messages}) from error
