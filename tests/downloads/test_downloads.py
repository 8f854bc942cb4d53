"""Gated downloads through the API: who may, what they get, what is recorded, and every way it can go wrong."""

import datetime
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.apikit import PROBLEM_JSON
from downloads import tasks
from downloads.models import Download, DownloadJob
from downloads.tasks import cut_clip_job, expire_downloads
from tests.accounts.conftest import Headless
from videos import media
from videos.models import VideoPage, VideoShot

PROBLEM = "application/problem+json"
ONE_SECOND = {"kind": "clip", "start": "1", "end": "2"}


def shot_ids(page):
    return list(page.shots.order_by("sort_order").values_list("pk", flat=True))


def fetch(url: str) -> bytes:
    """Download a granted link from our streaming view, with a client that carries no identity."""
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


# --- Entitlement -----------------------------------------------------------------------------------------------


def test_anonymous_callers_are_told_to_log_in(client, published_video, ask):
    response = ask(client, published_video.video_id, {"kind": "full"})
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM and response.json()["code"] == "not_authenticated"
    assert not Download.objects.exists()


def test_an_unverified_address_is_refused(published_video, media_account, ask):
    user = media_account()
    EmailAddress.objects.filter(user=user).update(verified=False)
    client = Client()
    client.force_login(user)
    response = ask(client, published_video.video_id, {"kind": "full"})
    assert response.status_code == 403 and response.json()["code"] == "email_unverified"
    assert not Download.objects.exists()


def test_terms_not_accepted_are_refused(published_video, media_account, ask):
    user = media_account()
    user.terms_version = "2000-01"  # accepted an older version
    user.save()
    client = Client()
    client.force_login(user)
    response = ask(client, published_video.video_id, {"kind": "full"})
    assert response.status_code == 403 and response.json()["code"] == "terms_not_accepted"


def test_a_deactivated_account_is_refused_even_with_a_live_session(published_video, member, ask):
    member.user.is_active = False
    member.user.save()
    response = ask(member, published_video.video_id, {"kind": "full"})
    assert response.status_code in (401, 403)
    assert not Download.objects.exists()


def test_a_verified_member_gets_the_full_master_and_the_grant_is_recorded(published_video, member, ask):
    response = ask(member, published_video.video_id, {"kind": "full"}, X_Forwarded_For="203.0.113.9")
    assert response.status_code == 200, response.content
    body = response.json()
    video = published_video.video
    assert body["kind"] == "full" and body["size"] == video.file_size
    assert body["filename"] == "press-conference_2025-06-02.mp4"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert 590 <= (expires - timezone.now()).total_seconds() <= 600
    assert fetch(body["url"]) == Path(video.file.path).read_bytes()

    record = Download.objects.get()
    assert (record.user, record.video, record.kind, record.outcome) == (member.user, video, "full", "granted")
    assert record.size == video.file_size and record.user_agent == "NewsroomBot/2.1"
    assert record.client_ip == "127.0.0.1"  # X-Forwarded-For is not trusted without configured proxies
    assert (record.user_email, record.organisation, record.video_title) == (
        "ann@example.org",
        "Radio Nord",
        video.title,
    )
    assert body["download_id"] == record.pk


def test_the_allauth_session_token_authenticates_too(published_video, media_account, ask):
    media_account(email="app@example.org")
    app = Headless("app")
    assert app.login("app@example.org").status_code == 200
    response = ask(Client(), published_video.video_id, {"kind": "full"}, X_Session_Token=app.session_token)
    assert response.status_code == 200, response.content
    assert Download.objects.get().user.email == "app@example.org"


def test_a_forged_session_token_is_not_authenticated(published_video, ask):
    response = ask(Client(), published_video.video_id, {"kind": "full"}, X_Session_Token="forged-token")
    assert response.status_code == 401


def test_browser_sessions_need_the_csrf_token(published_video, media_account):
    user = media_account()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(
        f"/api/v1/videos/{published_video.video_id}/downloads", data={"kind": "full"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not Download.objects.exists()


# --- What may be downloaded -------------------------------------------------------------------------------------


def test_unknown_unpublished_and_private_videos_are_not_found(published_video, member, ask, make_video):
    assert ask(member, 999999, {"kind": "full"}).json()["code"] == "video_not_found"
    orphan = make_video(title="Not on any page")
    response = ask(member, orphan.pk, {"kind": "full"})
    assert response.status_code == 404 and response.json()["code"] == "video_not_found"

    published_video.unpublish()
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 404
    published_video.save_revision().publish()
    PageViewRestriction.objects.create(page=published_video, restriction_type=PageViewRestriction.LOGIN)
    from cms.routing import HomeDirectory

    HomeDirectory.forget()
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 404
    assert not Download.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "everything"}, None),
        ({"kind": "full", "start": "00:00:01"}, None),
        ({"kind": "full", "mode": "exact"}, None),
        ({"kind": "clip", "start": "00:00:01"}, None),
        ({"kind": "clip", "start": "1", "end": "2", "speed": "max"}, None),
        ({"kind": "clip", "start": "00:00:01.000", "end": "00:00:02", "mode": "best"}, None),
        ({"kind": "shots", "shots": []}, None),
        ({"kind": "shots", "shots": ["one"]}, None),
        ({"kind": "clip", "start": "1:2:3:4", "end": "5"}, "invalid_timecode"),
        ({"kind": "clip", "start": "-1", "end": "5"}, "invalid_timecode"),
        ({"kind": "clip", "start": "00:00:05", "end": "00:00:02"}, "invalid_range"),
        ({"kind": "clip", "start": 3, "end": 3}, "invalid_range"),
        ({"kind": "clip", "start": "00:00:01", "end": "00:00:13"}, "invalid_range"),
        ({"kind": "clip", "start": "00:00:00", "end": "00:00:11"}, "clip_too_long"),
    ],
)
def test_bad_requests_get_a_400_with_the_reason_and_record_nothing(published_video, member, ask, settings, body, code):
    settings.VIDEOS_CLIP_MAX_SECONDS = 10
    response = ask(member, published_video.video_id, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    if code:
        assert response.json()["code"] == code
    assert not Download.objects.exists() and not DownloadJob.objects.exists()


@pytest.mark.parametrize("raw", ["", "{", "[]", '"full"', '{"kind": null}'])
def test_malformed_bodies_are_400(published_video, member, ask, raw):
    response = ask(member, published_video.video_id, raw)
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM


def test_shots_must_exist_belong_to_the_video_and_follow_each_other(
    published_video, member, ask, site_tree, make_video
):
    first, second, third = shot_ids(published_video)
    other = VideoPage(title="Other", slug="other", video=make_video(title="Other", duration=3.0))
    other.shots.add(VideoShot(in_point=0, out_point=1000, description="Elsewhere"))
    site_tree.videos.add_child(instance=other)
    other.save_revision().publish()
    foreign = other.shots.get().pk

    assert (
        ask(member, published_video.video_id, {"kind": "shots", "shots": [foreign]}).json()["code"] == "shot_not_found"
    )
    assert ask(member, published_video.video_id, {"kind": "shots", "shots": [9999999]}).status_code == 404
    gap = ask(member, published_video.video_id, {"kind": "shots", "shots": [first, third]})
    assert gap.status_code == 400 and gap.json()["code"] == "invalid_shots"
    twice = ask(member, published_video.video_id, {"kind": "shots", "shots": [second, second]})
    assert twice.status_code == 400
    assert not Download.objects.exists()


# --- Quotas -----------------------------------------------------------------------------------------------------


def test_the_daily_count_quota_refuses_with_retry_after(published_video, member, ask, settings):
    settings.VIDEOS_DAILY_DOWNLOADS = 2
    for _ in range(2):
        assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 200
    refused = ask(member, published_video.video_id, {"kind": "full"})
    assert refused.status_code == 403 and refused.json()["code"] == "quota_exceeded"
    assert 86000 < int(refused["Retry-After"]) <= 86401
    assert Download.objects.count() == 2

    # A day later the oldest grant has left the window.
    Download.objects.update(created_at=timezone.now() - datetime.timedelta(hours=24, seconds=1))
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 200


def test_the_daily_byte_quota_counts_sizes_and_ignores_failed_grants(published_video, member, ask, settings):
    size = published_video.video.file_size
    settings.VIDEOS_DAILY_DOWNLOAD_BYTES = size * 2 - 1
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 200
    refused = ask(member, published_video.video_id, {"kind": "full"})
    assert refused.status_code == 403 and refused.json()["code"] == "quota_exceeded"
    assert int(refused["Retry-After"]) > 86000
    Download.objects.update(outcome=Download.Outcome.FAILED)
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 200


def test_a_file_larger_than_the_whole_allowance_is_refused_without_retry_after(published_video, member, ask, settings):
    settings.VIDEOS_DAILY_DOWNLOAD_BYTES = published_video.video.file_size - 1
    refused = ask(member, published_video.video_id, {"kind": "full"})
    assert refused.status_code == 403 and refused.json()["code"] == "quota_exceeded"
    assert "Retry-After" not in refused


def test_quotas_are_per_person(published_video, member, media_account, ask, settings):
    settings.VIDEOS_DAILY_DOWNLOADS = 1
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 200
    other = Client()
    other.force_login(media_account(email="bob@example.org"))
    assert ask(other, published_video.video_id, {"kind": "full"}).status_code == 200


def test_a_person_waits_for_a_few_clips_at_a_time(published_video, member, media_account, ask_without_worker, settings):
    """Cutting takes a worker: the daily quota alone would let one account fill the queue with re-encodes."""
    settings.VIDEOS_CLIP_JOBS_PER_USER = 2
    video_id = published_video.video_id

    def clip(client, start, end, mode="exact"):
        return ask_without_worker(client, video_id, {"kind": "clip", "start": start, "end": end, "mode": mode})

    assert clip(member, "1", "2").status_code == 202
    assert clip(member, "2", "3").status_code == 202
    refused = clip(member, "3", "4")

    assert refused.status_code == 429 and refused["Content-Type"] == PROBLEM_JSON
    assert refused.json()["code"] == "too_many_jobs" and int(refused["Retry-After"]) == 30
    assert Download.objects.filter(user=member.user).count() == 2  # nothing granted, nothing queued
    assert DownloadJob.objects.count() == 2
    french = member.post(
        f"/api/v1/videos/{video_id}/downloads",
        data={"kind": "clip", "start": "3", "end": "4", "mode": "exact"},
        content_type="application/json",
        headers={"Accept-Language": "fr"},
    )
    assert french.json()["detail"] == "Vous attendez déjà 2 extraits. Demandez-en un autre dès que l'un d'eux est prêt."

    # A clip already being cut adds no work: joining it is allowed, for anyone.
    assert clip(member, "1", "2").status_code == 202
    other = Client()
    other.force_login(media_account(email="bob@example.org"))
    assert clip(other, "2", "3").status_code == 202
    assert clip(other, "5", "6").status_code == 202  # and limits are per person

    # Once one of them is ready, the next may be asked for.
    DownloadJob.objects.filter(start_ms=1000).update(status=DownloadJob.Status.READY)
    assert clip(member, "3", "4").status_code == 202
    settings.VIDEOS_CLIP_JOBS_PER_USER = 0
    assert clip(member, "6", "7").status_code == 202


# --- Clips --------------------------------------------------------------------------------------------------------


def test_a_fast_clip_is_cut_on_the_keyframe_before_and_served(published_video, member, ask):
    response = ask(member, published_video.video_id, {"kind": "clip", "start": "00:00:02.300", "end": "00:00:05.700"})
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["requested"] == {"start": "00:00:02.300", "end": "00:00:05.700", "start_ms": 2300, "end_ms": 5700}
    status = member.get(job["status_url"].removeprefix("http://testserver")).json()
    assert status["status"] == "ready", status
    assert status["actual"]["start_ms"] == 2000  # the keyframe at or before the in point
    assert 5700 <= status["actual"]["end_ms"] <= 5700 + 80  # the out point, snapped out to the 25 fps frame grid
    out_point = status["actual"]["end"].replace(":", "").replace(".", "")
    assert status["link"]["filename"] == f"press-conference_2025-06-02_000002000-{out_point}.mp4"

    clip = Path(default_storage.path(DownloadJob.objects.get().file.name))
    assert fetch(status["link"]["url"]) == clip.read_bytes()
    probe = media.probe(clip)
    assert abs(probe.duration - 3.7) <= 0.1
    record = Download.objects.get()
    assert (record.kind, record.mode, record.start_ms, record.end_ms) == ("clip", "fast", 2300, 5700)
    assert record.size == clip.stat().st_size


def test_consecutive_shots_are_merged_into_one_exact_clip(published_video, member, ask):
    first, second, _third = shot_ids(published_video)
    response = ask(member, published_video.video_id, {"kind": "shots", "shots": [second, first], "mode": "exact"})
    assert response.status_code == 202, response.content
    job = DownloadJob.objects.get()
    assert (job.start_ms, job.end_ms, job.mode, job.status) == (0, 6500, "exact", "ready")
    assert job.clip_start_ms == 0 and 6500 <= job.clip_end_ms <= 6500 + 80
    assert Download.objects.get().shot_ids == [first, second]
    assert abs(media.probe(default_storage.path(job.file.name)).duration - 6.5) <= 0.1


def test_identical_requests_share_one_clip(published_video, member, media_account, ask):
    body = {"kind": "clip", "start": "1", "end": "3.5", "mode": "exact"}
    first = ask(member, published_video.video_id, body).json()
    other = Client()
    other.force_login(media_account(email="bob@example.org"))
    second = ask(other, published_video.video_id, body).json()
    assert first["job_id"] == second["job_id"] and second["status"] == "ready"
    assert DownloadJob.objects.count() == 1 and Download.objects.count() == 2
    assert default_storage.exists(DownloadJob.objects.get().file.name)
    # A different mode or range is another clip.
    ask(member, published_video.video_id, {**body, "mode": "fast"})
    assert DownloadJob.objects.count() == 2


def test_a_job_is_visible_only_to_the_people_who_asked(published_video, member, media_account, ask):
    job = ask(member, published_video.video_id, {"kind": "clip", "start": "1", "end": "2"}).json()
    path = f"/api/v1/downloads/{job['job_id']}"
    stranger = Client()
    stranger.force_login(media_account(email="eve@example.org"))
    response = stranger.get(path)
    assert response.status_code == 404 and response.json()["code"] == "job_not_found"
    assert Client().get(path).status_code == 401
    assert member.get("/api/v1/downloads/not-a-uuid").status_code == 400


def test_another_persons_clip_link_is_refused(published_video, member, media_account, ask):
    job = ask(member, published_video.video_id, {"kind": "clip", "start": "1", "end": "2"}).json()
    url = member.get(f"/api/v1/downloads/{job['job_id']}").json()["link"]["url"]
    eve = Client()
    eve.force_login(media_account(email="eve@example.org"))
    response = eve.get(url.removeprefix("http://testserver"))
    assert response.status_code == 403 and response.json()["code"] == "link_not_yours"


# --- Expiry --------------------------------------------------------------------------------------------------------


def test_expired_clips_are_removed_and_cut_again_when_asked(published_video, member, ask):
    body = {"kind": "clip", "start": "1", "end": "2"}
    ask(member, published_video.video_id, body)
    job = DownloadJob.objects.get()
    name = job.file.name
    assert default_storage.exists(name)

    DownloadJob.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    result = expire_downloads.enqueue().return_value
    assert result["expired"] == 1
    job.refresh_from_db()
    assert job.status == "expired" and not job.file and not default_storage.exists(name)

    again = ask(member, published_video.video_id, body).json()
    assert again["job_id"] != str(job.pk)
    assert member.get(f"/api/v1/downloads/{again['job_id']}").json()["status"] == "ready"


def test_asking_again_for_a_ready_clip_postpones_its_expiry(published_video, member, ask, settings):
    body = {"kind": "clip", "start": "1", "end": "2"}
    ask(member, published_video.video_id, body)
    DownloadJob.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=5))
    ask(member, published_video.video_id, body)
    remaining = DownloadJob.objects.get().expires_at - timezone.now()
    assert remaining > datetime.timedelta(seconds=settings.VIDEOS_CLIP_TTL - 60)


# --- Faults --------------------------------------------------------------------------------------------------------


def test_an_ffmpeg_failure_fails_the_job_leaves_no_file_and_frees_the_quota(published_video, member, ask, settings):
    settings.VIDEOS_DAILY_DOWNLOADS = 1
    master = Path(published_video.video.file.path)
    original = master.read_bytes()
    master.write_bytes(original[:2048])  # the master is damaged on disk after upload
    try:
        job = ask(member, published_video.video_id, {"kind": "clip", "start": "4", "end": "6", "mode": "exact"}).json()
    finally:
        master.write_bytes(original)
    status = member.get(f"/api/v1/downloads/{job['job_id']}").json()
    assert status["status"] == "failed" and status["error"]["code"] == "cut_failed"
    assert status["error"]["message"] and status["link"] is None
    failed = DownloadJob.objects.get(pk=job["job_id"])
    assert not failed.file and not default_storage.exists(f"downloads/clips/{published_video.video_id}/{failed.pk}.mp4")
    assert Download.objects.get().outcome == "failed"
    # The failed grant does not count: the member may try again, and a new job is made.
    retry = ask(member, published_video.video_id, {"kind": "clip", "start": "4", "end": "6", "mode": "exact"})
    assert retry.status_code == 202 and retry.json()["job_id"] != job["job_id"]
    assert member.get(f"/api/v1/downloads/{retry.json()['job_id']}").json()["status"] == "ready"


def test_a_worker_killed_mid_job_is_retried_then_failed(
    published_video, member, settings, ask_without_worker, django_capture_on_commit_callbacks
):
    settings.VIDEOS_CLIP_STALL_SECONDS = 60
    settings.VIDEOS_CLIP_MAX_ATTEMPTS = 2
    response = ask_without_worker(member, published_video.video_id, ONE_SECOND)
    job_id = response.json()["job_id"]
    stale = timezone.now() - datetime.timedelta(seconds=61)
    DownloadJob.objects.filter(pk=job_id).update(status="running", attempts=1, heartbeat_at=stale)

    # Polling notices the silent worker and queues the job again; the next worker finishes it.
    with django_capture_on_commit_callbacks(execute=True):
        polled = member.get(f"/api/v1/downloads/{job_id}").json()
    assert polled["status"] in ("queued", "ready")
    assert member.get(f"/api/v1/downloads/{job_id}").json()["status"] == "ready"

    # After the last attempt, a silent worker fails the job instead.
    DownloadJob.objects.filter(pk=job_id).update(status="running", attempts=2, heartbeat_at=stale, file="")
    failed = member.get(f"/api/v1/downloads/{job_id}").json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "worker_lost"
    assert Download.objects.get().outcome == "failed"


def test_a_live_worker_is_left_alone(published_video, member, ask_without_worker):
    job_id = ask_without_worker(member, published_video.video_id, ONE_SECOND).json()["job_id"]
    DownloadJob.objects.filter(pk=job_id).update(status="running", attempts=1, heartbeat_at=timezone.now())
    assert member.get(f"/api/v1/downloads/{job_id}").json()["status"] == "running"
    assert expire_downloads.enqueue().return_value["recovered"] == 0


def test_a_video_deleted_while_its_job_waits_fails_the_job_cleanly(published_video, member, ask_without_worker):
    job_id = ask_without_worker(member, published_video.video_id, ONE_SECOND).json()["job_id"]
    video = published_video.video
    published_video.delete()
    video.delete()
    assert cut_clip_job.enqueue(job_id).return_value == "failed"
    job = DownloadJob.objects.get(pk=job_id)
    assert (job.status, job.error_code, job.video) == ("failed", "video_deleted", None)
    record = Download.objects.get()
    assert record.video is None and record.video_title == "Press conference" and record.outcome == "failed"
    status = member.get(f"/api/v1/downloads/{job_id}").json()
    assert status["status"] == "failed" and status["error"]["code"] == "video_deleted"


def test_a_job_enqueued_twice_is_cut_once(published_video, member, ask):
    ask(member, published_video.video_id, {"kind": "clip", "start": "1", "end": "2"})
    job = DownloadJob.objects.get()
    assert cut_clip_job.enqueue(str(job.pk)).return_value == "not queued"


def test_a_missing_master_is_503_and_the_grant_is_marked_failed(published_video, member, ask):
    Path(published_video.video.file.path).unlink()
    response = ask(member, published_video.video_id, {"kind": "full"})
    assert response.status_code == 503 and response.json()["code"] == "master_unavailable"
    assert response["Retry-After"]
    record = Download.objects.get()
    assert record.outcome == "failed" and record.failure_reason == "master_missing"


def test_sweep_fails_jobs_no_worker_ever_took(published_video, member, settings, ask_without_worker):
    job_id = ask_without_worker(member, published_video.video_id, ONE_SECOND).json()["job_id"]
    DownloadJob.objects.filter(pk=job_id).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert tasks.sweep()["abandoned"] == 1
    assert DownloadJob.objects.get(pk=job_id).error_code == "not_started"


def test_sweep_removes_scratch_folders_a_killed_worker_left(db, settings):
    import os

    from downloads.jobs import WORK_FOLDER

    left = Path(default_storage.path(WORK_FOLDER)) / "clip-abandoned"
    left.mkdir(parents=True)
    (left / "half.mp4").write_bytes(b"\0" * 1024)
    fresh = Path(default_storage.path(WORK_FOLDER)) / "clip-running"
    fresh.mkdir()
    old = timezone.now().timestamp() - settings.VIDEOS_CLIP_TTL - 10
    os.utime(left, (old, old))
    assert tasks.sweep()["scratch_removed"] == 1
    assert not left.exists() and fresh.exists()


def test_the_sweep_command_runs_once(db, capsys):
    from django.core.management import call_command

    call_command("expire_downloads")
    assert "clips expired" in capsys.readouterr().out


def test_refusals_and_errors_speak_the_callers_language(published_video, member, ask, client):
    french = {"Accept-Language": "fr"}
    mixed = ask(member, published_video.video_id, {"kind": "full", "start": "1"}, **french)
    assert mixed.status_code == 400 and "ne s’emploie pas avec le type « full »" in mixed.json()["detail"]
    too_late = ask(member, published_video.video_id, {"kind": "clip", "start": "1", "end": "20"}, **french)
    assert too_late.json()["detail"] == "La vidéo dure 00:00:12.000 ; le point de sortie ne peut pas être plus tardif."
    anonymous = ask(client, published_video.video_id, {"kind": "full"}, **french)
    assert anonymous.status_code == 401 and anonymous.json()["detail"]
