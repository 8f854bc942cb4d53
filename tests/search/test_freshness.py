"""The index follows editors' work at once: publish, edit, unpublish, delete, translate, hide, rename a topic.

Once per engine (`conftest.api_engine`): with Wagtail's database backend
serving the API, the documents reach it at the same moment.
"""

import io
import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test.utils import override_settings
from wagtail.models import PageViewRestriction

from news.models import NewsArticlePage
from search.models import SearchDocument
from taxonomy.models import PageTopic, Topic

from .conftest import PORTAL_ENGINE, UNREACHABLE

URL = "/api/v1/search/"
# Only Wagtail's own backend: what follows is the content-event listener's work alone.
WITHOUT_PORTAL_BACKEND = {"default": {"BACKEND": "wagtail.search.backends.database"}}

pytestmark = pytest.mark.usefixtures("api_engine")


@pytest.fixture
def changes(django_capture_on_commit_callbacks):
    """Run a change and its after-commit listeners, as a real request would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def article(site_tree, locales, changes):
    cache.clear()

    def publish():
        page = NewsArticlePage(
            title="Hydrographic survey", slug="survey", standfirst="Mapping the seabed.", locale=locales.en
        )
        site_tree.news.add_child(instance=page)
        page.save_revision().publish()
        return page

    return changes(publish)


def found(client, query, **params):
    response = client.get(URL, {"q": query, "fields": "title", **params})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS=WITHOUT_PORTAL_BACKEND)
def test_publish_edit_unpublish_and_delete(client, article, changes):
    assert found(client, "seabed") == [article.pk]  # cached from here on

    def edit():
        article.title = "Bathymetry campaign"
        article.standfirst = "Charting the ocean floor."
        article.save_revision().publish()

    changes(edit)
    assert found(client, "seabed") == []
    assert found(client, "bathymetry ocean") == [article.pk]

    changes(article.unpublish)
    assert found(client, "bathymetry") == []
    assert not SearchDocument.objects.filter(page_id=article.pk).exists()

    changes(lambda: article.save_revision().publish())
    assert found(client, "bathymetry") == [article.pk]
    changes(article.delete)
    assert found(client, "bathymetry") == []


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS=WITHOUT_PORTAL_BACKEND)
def test_a_draft_is_not_searched_until_published(client, article, changes):
    def draft():
        article.title = "Secret new title"
        article.save_revision()

    changes(draft)
    assert found(client, "secret") == []
    assert found(client, "hydrographic") == [article.pk]


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS=WITHOUT_PORTAL_BACKEND)
def test_a_published_translation_is_searched_with_its_language_rules(
    client, article, site_tree, locales, changes, api_engine
):
    def translate():
        news_fr = site_tree.news.copy_for_translation(locales.fr, copy_parents=True)
        news_fr.save_revision().publish()
        french = article.copy_for_translation(locales.fr)
        french.title = "Levé hydrographique des fonds marins"
        french.standfirst = "Les capacités de l'Alliance."
        french.save_revision().publish()
        return french

    french = changes(translate)
    assert found(client, "hydrographique", locale="fr") == [french.pk]
    assert found(client, "alliance capacités", locale="fr") == [french.pk]
    assert found(client, "hydrographic", locale="en") == [article.pk]
    if api_engine == PORTAL_ENGINE:
        # French rules: Wagtail's database backend has no French stemmer, and no unaccent on PostgreSQL.
        assert found(client, "hydrographiques", locale="fr") == [french.pk]
        assert found(client, "alliance capacites", locale="fr") == [french.pk]


@pytest.mark.django_db
def test_private_sections_are_not_searched(client, article, site_tree, changes):
    changes(lambda: PageViewRestriction.objects.create(page=site_tree.news, restriction_type="password", password="x"))
    assert found(client, "seabed") == []


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS=WITHOUT_PORTAL_BACKEND)
def test_renaming_a_topic_reindexes_its_pages(client, article, locales, changes):
    topic = Topic.objects.create(name="Oceans", slug="oceans", locale=locales.en)

    def link():
        article.topic_links = [PageTopic(topic=topic)]
        article.save_revision().publish()

    changes(link)
    assert found(client, "oceans") == [article.pk]

    def rename():
        topic.name = "Hydrosphere"
        topic.save()

    changes(rename)
    assert found(client, "hydrosphere") == [article.pk]
    assert found(client, "oceans") == []


@pytest.mark.django_db
def test_wagtail_bulk_indexing_reaches_the_portal_index(article):
    """`generate_content` writes pages without publish signals and indexes them through Wagtail's backends."""
    from modelsearch.backends import get_search_backends

    SearchDocument.objects.all().delete()
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(NewsArticlePage, [article])
    assert SearchDocument.objects.filter(page_id=article.pk).exists()


@pytest.mark.django_db
def test_update_index_rebuilds_everything(client, article):
    SearchDocument.objects.all().delete()
    SearchDocument.objects.create(
        page_id=article.get_parent().pk,
        locale_id=article.locale_id,
        language="en",
        page_type="x",
        date=article.published_at,
        title="stale",
        indexed_at=article.published_at,
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("update_index", backend_name="portal", stdout=out, stderr=err)

    assert list(SearchDocument.objects.values_list("page_id", flat=True)) == [article.pk]
    assert "portal: indexed 1 pages" in out.getvalue()
    assert "news.NewsArticlePage" in err.getvalue()  # the progress bar
    cache.clear()
    assert found(client, "seabed") == [article.pk]


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS=UNREACHABLE, SEARCH_API_BACKEND="remote")
def test_editors_still_publish_when_the_service_is_unreachable(
    site_tree, locales, caplog, django_capture_on_commit_callbacks
):
    page = NewsArticlePage(title="Hydrographic survey", slug="survey", locale=locales.en)
    site_tree.news.add_child(instance=page)
    with caplog.at_level(logging.ERROR, logger="search.index"), django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert SearchDocument.objects.filter(page_id=page.pk).exists()  # the portal's own rows are written
    assert "Could not update the search backend 'remote'" in caplog.text
