"""Wagtail's reference index ("Used in") follows the links pages make to people and topics, without per-row tasks.

Each saved link row used to queue a reference-index task of its own, which
failed in the task worker whenever publishing had replaced the row meanwhile
(a traceback in the worker's log for most publications of the demo content).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks import default_task_backend
from wagtail.models import Page, ReferenceIndex

from taxonomy.models import PageTopic, Topic

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def queued_tasks(settings):
    """Tasks are recorded instead of run (django_tasks' dummy backend), as a real queue would hold them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend.results


def _reference_index_tasks(queued):
    return [result for result in queued if result.task.module_path == "wagtail.tasks.update_reference_index_task"]


@pytest.mark.django_db
def test_link_rows_queue_no_task_of_their_own_and_their_page_records_the_references(queued_tasks):
    call_command("load_demo_content", verbosity=0)
    assert not [r.args for r in _reference_index_tasks(queued_tasks) if r.args[0] == "taxonomy"]
    article = next(page for page in Page.objects.live().specific() if page.topic_links.exists())
    topic = Topic.objects.exclude(pk__in=article.topic_links.values("topic_id")).first()
    queued_tasks.clear()

    article.topic_links.add(PageTopic(topic=topic))
    article.save_revision().publish()

    tasks = _reference_index_tasks(queued_tasks)
    assert [r.args[0] for r in tasks if r.args[0] == "taxonomy"] == []
    assert [r.args for r in tasks if r.args[2] == str(article.pk)], "the page's own task must still be queued"
    # The page's task, run as the worker would, records the new link under the page.
    for result in tasks:
        result.task.call(*result.args, **result.kwargs)
    assert ReferenceIndex.get_references_to(topic).filter(object_id=str(article.pk)).exists()


@pytest.mark.django_db
def test_migrating_again_does_not_bring_the_per_row_handlers_back(queued_tasks):
    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    article = next(page for page in Page.objects.live().specific() if page.topic_links.exists())
    queued_tasks.clear()

    article.save_revision().publish()

    assert not [r.args for r in _reference_index_tasks(queued_tasks) if r.args[0] == "taxonomy"]


def test_a_server_process_starts_without_the_per_row_handlers():
    """Servers and task workers never migrate: Wagtail's ready() alone must leave the link rows unwatched."""
    script = (
        "import django; django.setup()\n"
        "from django.db.models.signals import post_save\n"
        "from wagtail.signal_handlers import update_reference_index_on_save\n"
        "from news.models import NewsArticlePage\n"
        "from taxonomy.models import PagePerson, PageTopic, RelatedPage\n"
        "def watched(model):\n"
        "    receivers = post_save._live_receivers(model)\n"
        "    return update_reference_index_on_save in [*receivers[0], *receivers[1]]\n"
        "print(watched(NewsArticlePage), *(watched(m) for m in (PageTopic, PagePerson, RelatedPage)))\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False", "False"]
