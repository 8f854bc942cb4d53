"""Timecodes as editors and front ends write them, stored as whole milliseconds.

Milliseconds are exact (no float drift when comparing shot boundaries) and
map one-to-one onto the `HH:MM:SS.mmm` form used in the admin and the API.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_TIMECODE = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?([0-5]?\d)(?:[.,](\d{1,3}))?$")
_SECONDS = re.compile(r"^\d+(?:\.\d{1,3})?$")


def parse_timecode(text: str) -> int:
    """`HH:MM:SS.mmm`, `MM:SS.mmm`, `SS.mmm` or plain seconds (`62.5`) -> milliseconds.

    Raises ValueError with a reader-facing message for anything else.
    """
    text = str(text).strip()
    if _SECONDS.match(text):
        whole, _dot, fraction = text.partition(".")
        return int(whole) * 1000 + int(fraction.ljust(3, "0") or 0)
    match = _TIMECODE.match(text)
    if not match:
        raise ValueError(_("Enter a timecode as HH:MM:SS.mmm (for example 00:01:02.500) or in seconds."))
    hours, minutes, seconds, fraction = match.groups()
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds)) * 1000 + int(
        (fraction or "0").ljust(3, "0")
    )


def format_timecode(milliseconds: int) -> str:
    seconds, ms = divmod(int(milliseconds), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


class TimecodeInput(forms.TextInput):
    def format_value(self, value):
        if isinstance(value, int):
            return format_timecode(value)
        return super().format_value(value)


class TimecodeFormField(forms.Field):
    widget = TimecodeInput

    def __init__(self, *, max_value=None, min_value=None, **kwargs):
        # Accepts and ignores IntegerField's bounds: the model field passes them.
        kwargs.setdefault("widget", TimecodeInput(attrs={"placeholder": "00:00:00.000"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_timecode(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid_timecode") from error


class TimecodeField(models.PositiveIntegerField):
    """A point in a video, in milliseconds, edited as `HH:MM:SS.mmm`."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": TimecodeFormField, **kwargs})
