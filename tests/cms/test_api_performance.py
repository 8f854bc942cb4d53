"""Query counts are designed, not hoped for: they do not grow with the page size."""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cms.routing import HomeDirectory
from news.models import NewsArticlePage
from taxonomy.models import PagePerson, PageTopic, RelatedPage

from .content import publish

LISTING = "/api/v1/pages/?type=news.NewsArticlePage&locale=en&site=localhost&fields=*"


@pytest.fixture(scope="module")
def many_articles(shared_portal, django_db_blocker):
    """105 rich articles: lead image, body with links, image and document, topics, people, related pages."""
    portal = shared_portal
    with django_db_blocker.unblock(), transaction.atomic():
        for number in range(105):
            article = NewsArticlePage(
                title=f"Bulk {number}",
                slug=f"bulk-{number}",
                published_at=timezone.now() - datetime.timedelta(days=number + 2),
                standfirst="Bulk",
                lead_image=portal.image,
                body=portal.newest.body.raw_data,
            )
            article.topic_links = [PageTopic(topic=portal.defence), PageTopic(topic=portal.budget)]
            article.person_links = [PagePerson(person=portal.rasmussen)]
            article.related_links = [RelatedPage(target=portal.old)]
            portal.news.add_child(instance=article)
            publish(article)
    return portal


def count_queries(client, url, django_assert_max_num_queries, limit=50):
    # Responses are dropped; the site directory (homes, locales, private
    # sections) stays warm, as it is in a running process.
    cache.clear()
    HomeDirectory.load()
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_listing_queries_do_not_grow_with_the_page_size(client, many_articles, django_assert_max_num_queries):
    client.get(LISTING + "&limit=100")  # renditions are made once, on first use; count afterwards

    counts = {
        limit: count_queries(client, f"{LISTING}&limit={limit}", django_assert_max_num_queries)
        for limit in (5, 20, 100)
    }

    assert counts[5] == counts[20] == counts[100], counts
    assert counts[20] <= 10, counts


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["newest", "interview", "video_page", "home"])
def test_a_detail_takes_at_most_eight_queries(client, many_articles, django_assert_max_num_queries, name):
    url = f"/api/v1/pages/{getattr(many_articles, name).pk}/"
    client.get(url)

    assert count_queries(client, url, django_assert_max_num_queries) <= 8


@pytest.mark.django_db
def test_a_cache_hit_and_a_304_take_no_query(client, many_articles, django_assert_num_queries):
    cache.clear()
    first = client.get(LISTING)
    assert first.status_code == 200 and first["ETag"]

    with django_assert_num_queries(0):
        hit = client.get(LISTING)
    with django_assert_num_queries(0):
        not_modified = client.get(LISTING, HTTP_IF_NONE_MATCH=first["ETag"])

    assert hit.content == first.content and hit["ETag"] == first["ETag"]
    assert not_modified.status_code == 304 and not_modified.content == b""
