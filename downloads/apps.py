from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DownloadsConfig(AppConfig):
    name = "downloads"
    verbose_name = _("Downloads")

    def ready(self):
        from videos.api import VIDEO
        from videos.signals import master_ready, master_replaced

        from .checks import refuse_unsigned_download_links
        from .offer import DOWNLOAD_OFFER
        from .tasks import expire_clips_of_old_master, index_master_packets

        refuse_unsigned_download_links()
        # Video pages offer downloads; the field sits before the related pages, where it always was.
        VIDEO.add_field(DOWNLOAD_OFFER, before="related_pages")
        master_ready.connect(index_master_packets, dispatch_uid="downloads.index_master_packets")
        master_replaced.connect(expire_clips_of_old_master, dispatch_uid="downloads.expire_clips_of_old_master")
