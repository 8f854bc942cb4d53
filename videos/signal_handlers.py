from django.db import transaction
from django.db.models.signals import post_delete, post_save


def queue_derivatives(sender, instance, **kwargs):
    """A new or replaced master waits for its poster and proxy: queue them once the upload is committed.

    A master put in place by a resumable upload has no checksum yet: its ingest
    (`tasks.ingest_master`, queued by the upload) makes the derivatives itself.
    """
    if instance.state == instance.State.PROCESSING and instance.sha256:
        from .tasks import make_video_derivatives

        video_id = instance.pk
        transaction.on_commit(lambda: make_video_derivatives.enqueue(video_id))


def delete_files(sender, instance, **kwargs):
    """Deleting a video deletes its master and proxy, once the deletion is committed."""
    names = [(field.storage, field.name) for field in (instance.file, instance.proxy) if field]

    def delete():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def register():
    from .models import Video

    post_save.connect(queue_derivatives, sender=Video, dispatch_uid="videos_queue_derivatives")
    post_delete.connect(delete_files, sender=Video, dispatch_uid="videos_delete_files")
