"""Clip job records, as granting, the worker and the sweep share them: failing a job, the worker's scratch folder.

A module of its own so that the tasks need nothing of ``grants``: granting imports the tasks (to queue a
cut), and both import this.
"""

from django.utils import timezone

from .models import Download, DownloadJob

# Where clips are cut before they are published by a rename (file system storage only).
WORK_FOLDER = "downloads/.work"


def fail_job(job_id, code: str, error: str, **only_if) -> bool:
    """Fail a clip job, only while it still matches `only_if` (e.g. its status), and free the quota its requests took.

    The requests stay on record, marked failed with the job's reason.
    """
    failed = DownloadJob.objects.filter(pk=job_id, **only_if).update(
        status=DownloadJob.Status.FAILED, error_code=code, error=error[-2000:], finished_at=timezone.now()
    )
    if failed:
        Download.objects.filter(job_id=job_id).update(outcome=Download.Outcome.FAILED, failure_reason=code)
    return bool(failed)
