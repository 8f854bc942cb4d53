"""Admin views for video masters, on top of Wagtail's snippet views."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import CreateView, EditView


class DiscardMasterOnFailureMixin:
    """If saving fails after the master reached the storage, remove it again.

    Wagtail saves inside a transaction, so the record rolls back by itself;
    the file on the storage does not, and is removed here.
    """

    def save_instance(self):
        try:
            return super().save_instance()
        except BaseException:
            self.form.discard_new_master()
            raise


class VideoCreateView(DiscardMasterOnFailureMixin, CreateView):
    success_message = _("Video '%(object)s' uploaded. Its poster and preview are being prepared.")


class VideoEditView(DiscardMasterOnFailureMixin, EditView):
    pass
