"""The admin form for uploading and editing a video master."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from . import media
from .files import sha256_of, uploaded_file_path
from .shots import validate_shot_list
from .signals import master_replaced


class VideoForm(WagtailAdminModelForm):
    """Validates a master by its content before anything is stored.

    The file is probed while Django still holds the upload in its temporary
    location, so a rejected file never reaches the storage and no record is
    created.
    """

    probe: "media.MediaProbe | None" = None
    checksum: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model allows no file while a resumable upload is still arriving; this form does not.
        if "file" in self.fields and self.instance.state != self.instance.State.UPLOADING:
            self.fields["file"].required = True

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or upload is self.initial.get("file") or not hasattr(upload, "chunks"):
            return upload  # unchanged on edit
        limit = settings.VIDEOS_MAX_UPLOAD_SIZE
        if upload.size > limit:
            raise ValidationError(
                _("This file is %(size)s; videos are limited to %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="file_too_large",
            )
        if upload.size == 0:
            raise ValidationError(_("This file is empty."), code="empty")
        with uploaded_file_path(upload) as path:
            try:
                self.probe = media.probe(path)
            except media.NotAVideo as error:
                raise ValidationError(error.message, code=error.code) from error
            self.checksum = sha256_of(path)
        return upload

    @property
    def has_new_master(self) -> bool:
        return self.probe is not None

    def discard_new_master(self) -> None:
        """Remove a master this form stored when saving it failed: no stray files."""
        if self.has_new_master and self.instance.file.name:
            self.instance.file.storage.delete(self.instance.file.name)

    def save(self, commit=True):
        replaced_name = self.initial.get("file").name if self.initial.get("file") else ""
        video = super().save(commit=False)
        if self.probe is not None:
            if replaced_name:
                storage = video.file.storage
                transaction.on_commit(lambda: storage.delete(replaced_name))
                transaction.on_commit(lambda: master_replaced.send(sender=type(video), video=video))
            video.apply_probe(self.probe, size=self.cleaned_data["file"].size, sha256=self.checksum)
            if self.for_user is not None and video.uploaded_by_id is None:
                video.uploaded_by = self.for_user
        if commit:
            video.save()
            self.save_m2m()
        return video


def video_not_ready(video) -> ValidationError:
    """Why a page cannot be published with `video` yet (the admin form and `VideoPage.clean` both say it)."""
    return ValidationError(
        _("This video is %(state)s: a page can be published once its video is ready.")
        % {"state": video.get_state_display().lower()},
        code="video_not_ready",
    )


class VideoPageForm(WagtailAdminPageForm):
    """Checks the shot list against the chosen video and the caption tracks against each other."""

    def clean(self):
        cleaned_data = super().clean()
        video = cleaned_data.get("video")
        if video is not None and not video.is_ready and "action-publish" in self.data:
            self.add_error("video", video_not_ready(video))
        shot_forms = self._live_forms("shots")
        if video is not None:
            points = [(form.cleaned_data.get("in_point"), form.cleaned_data.get("out_point")) for form in shot_forms]
            for problem in validate_shot_list(video.duration_ms, points):
                shot_forms[problem.index].add_error(problem.field, problem.message)

        seen_locales = set()
        for form in self._live_forms("caption_tracks"):
            locale = form.cleaned_data.get("locale")
            if locale in seen_locales:
                form.add_error("locale", _("There is already a caption track in this language."))
            seen_locales.add(locale)
        return cleaned_data

    def _live_forms(self, relation):
        """The inline forms of a relation that will be kept, in the order the editor arranged them."""
        formset = self.formsets.get(relation)
        if formset is None:
            return []
        forms = [
            form
            for form in formset.forms
            if form.is_valid()
            and (form.has_changed() or form.instance.pk)  # skip untouched blank extra forms
            and not self._deleted(formset, form)
        ]
        if formset.can_order:
            forms.sort(key=lambda form: form.cleaned_data.get("ORDER") or 0)
        return forms

    @staticmethod
    def _deleted(formset, form):
        return formset.can_delete and formset._should_delete_form(form)
