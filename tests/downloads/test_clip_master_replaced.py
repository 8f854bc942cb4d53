"""A clip cut (with the real ffmpeg) from a master that an editor replaces while the cut runs is never handed out.

The replacement goes through the tus endpoint, in the middle of the clip task (once ffmpeg has cut the clip from
the old master and before the job is marked ready). Whether the replacement's expiry of the old master's clips
(`master_replaced`) reaches the job during the cut or only after it, the job ends expired, its late clip is
removed, and the member is told to ask again rather than given the old content.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from downloads import clips
from downloads.models import DownloadJob
from tests.conftest import generated_video_path
from tests.downloads.conftest import ask, member, published_video  # noqa: F401  (fixtures)
from tests.videos.test_tus_uploads import create, patch
from videos.models import Video


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(email="editor@example.org", password="x")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="videos"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("expiry_during_the_cut", [True, False], ids=["expired-during-cut", "expired-after-cut"])
def test_a_clip_of_a_master_replaced_during_its_cut_is_not_handed_out(
    published_video,  # noqa: F811
    member,  # noqa: F811
    ask,  # noqa: F811
    editor,
    monkeypatch,
    settings,
    tmp_path_factory,
    django_capture_on_commit_callbacks,
    expiry_during_the_cut,
):
    video = published_video.video
    old_name, old_sha = video.file.name, video.sha256
    new_master = generated_video_path(tmp_path_factory, duration=6.0).read_bytes()
    real_cut = clips.cut_clip

    def cut_then_replace(*args, **kwargs):
        cut = real_cut(*args, **kwargs)  # ffmpeg has cut the clip from the old master
        url = create(editor, len(new_master), video=str(video.pk))["Location"]
        with django_capture_on_commit_callbacks(execute=expiry_during_the_cut):
            assert patch(editor, url, 0, new_master).status_code == 204
        return cut

    monkeypatch.setattr(clips, "cut_clip", cut_then_replace)
    response = ask(member, video.pk, {"kind": "clip", "start": "00:00:01.000", "end": "00:00:03.000", "mode": "fast"})
    assert response.status_code == 202, response.content
    job = DownloadJob.objects.get(pk=response.json()["job_id"])

    assert job.status == DownloadJob.Status.EXPIRED and not job.file
    clips_folder = Path(settings.MEDIA_ROOT) / "downloads" / "clips" / str(video.pk)
    assert not list(clips_folder.glob("*")), "the late clip was left on disk"
    status = member.get(f"/api/v1/downloads/{job.pk}").json()
    assert status["status"] == "expired" and not status.get("url")
    replaced = Video.objects.get(pk=video.pk)
    assert replaced.file.name != old_name and replaced.sha256 != old_sha
