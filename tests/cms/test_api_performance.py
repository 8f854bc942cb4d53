"""Query counts are designed, not hoped for: they do not grow with the page size.

And what makes an uncached response cheap stays so: one-type listings walk
their type's date index, production skips re-validating the responses it
built (with the same bytes), images find their renditions without asking
Wagtail one by one.
"""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pydantic import ValidationError
from wagtail.images import get_image_model

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
    cache.clear()  # not a response cached by an earlier test, whose renditions were rolled back
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


# --- the one-type listing's plan ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "index"),
    [
        (LISTING, "news_article_published_idx"),
        (LISTING + "&order=date&date_from=2000-01-01", "news_article_published_idx"),
        ("/api/v1/pages/?type=interviews.InterviewPage&locale=en", "interview_date_idx"),
    ],
)
def test_a_one_type_listing_walks_its_date_index_instead_of_sorting_every_match(client, many_articles, url, index):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics; bench/ measures it on realistic data")
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    page_query = next(q["sql"] for q in captured if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {page_query}")
        plan = [row[-1] for row in cursor.fetchall()]

    assert any(index in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort of the matches


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("types", "days", "expected"),
    [
        ("type=interviews.InterviewPage", ("2009-10-15", "2009-10-15"), ["interview"]),
        ("type=videos.VideoPage", ("2012-10-09", "2012-10-09"), ["video_page"]),
        ("type=videos.VideoPage", ("2012-10-10", "2030-01-01"), []),
        (
            "type=interviews.InterviewPage&type=videos.VideoPage",
            ("2009-10-15", "2012-10-09"),
            ["interview", "video_page"],
        ),
    ],
)
def test_listings_filter_and_sort_by_each_types_own_date_to_the_day(client, shared_portal, types, days, expected):
    # Dates and the datetimes they fall back to are compared as days, SQLite's text included.
    url = f"/api/v1/pages/?{types}&locale=en&order=date&date_from={days[0]}&date_to={days[1]}"
    response = client.get(url)

    assert response.status_code == 200, response.content[:300]
    assert [item["id"] for item in response.json()["items"]] == [getattr(shared_portal, name).pk for name in expected]


@pytest.mark.django_db
def test_the_count_of_a_short_last_page_needs_no_query(client, many_articles, django_assert_max_num_queries):
    cache.clear()  # not a response cached by an earlier test, whose renditions were rolled back
    client.get(f"{LISTING}&limit=100")  # renditions are made once, on first use; count afterwards
    full = count_queries(client, f"{LISTING}&limit=100", django_assert_max_num_queries)
    short = count_queries(client, f"{LISTING}&limit=100&offset=100", django_assert_max_num_queries)
    payload = client.get(f"{LISTING}&limit=100&offset=100").json()

    assert short == full - 1
    assert payload["count"] == 100 + len(payload["items"]) == 108  # 105 bulk articles and the portal's 3


# --- validation ---------------------------------------------------------------------------------

PORTAL_PAGES = ("newest", "newest_fr", "interview", "video_page", "home")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        LISTING + "&limit=100",
        "/api/v1/pages/?fields=*&limit=100",
        "/api/v1/pages/?locale=fr&fallback=en&fields=*",
        "/api/v1/pages/?type=interviews.InterviewPage&type=videos.VideoPage&fields=*",
        "/api/v1/pages/?type=videos.VideoPage&fields=*",
        "/api/v1/pages/?type=news.NewsArticlePage&fields=title,topics,lead_image",
        "/api/v1/pages/{newest}/",
        "/api/v1/pages/{newest_fr}/",
        "/api/v1/pages/{interview}/",
        "/api/v1/pages/{video_page}/",
        "/api/v1/pages/{home}/",
        "/api/v1/pages/find/?site=localhost&path=/fr/",
        "/api/v1/sites/",
        "/api/v1/people/",
        "/api/v1/topics/?locale=fr",
        "/api/v1/search/?q=defence&fields=*",
    ],
)
def test_responses_are_the_same_bytes_validated_or_not(client, many_articles, settings, url):
    url = url.format(**{name: getattr(many_articles, name).pk for name in PORTAL_PAGES})
    bodies = []
    for validate in (True, False):
        settings.CMS_API_VALIDATE_RESPONSES = validate
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        bodies.append(response.content)

    assert bodies[0] == bodies[1]


@pytest.mark.parametrize(
    ("validate", "debug", "validated"), [(True, False, True), (False, True, True), (False, False, False)]
)
def test_responses_are_validated_in_tests_and_debug_only(settings, validate, debug, validated):
    from cms.page_rendering import PageList, as_json

    settings.CMS_API_VALIDATE_RESPONSES, settings.DEBUG = validate, debug
    wrong = {"count": "many", "limit": 20, "offset": 0, "items": []}

    if validated:
        with pytest.raises(ValidationError):
            as_json(PageList, wrong)
    else:
        assert as_json(PageList, wrong) == b'{"count":"many","limit":20,"offset":0,"items":[]}'


# --- renditions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_images_find_their_renditions_without_asking_wagtail_once_made(client, many_articles):
    cache.clear()
    client.get(LISTING + "&limit=100")  # makes them
    cache.clear()
    with mock.patch.object(get_image_model(), "get_rendition", side_effect=AssertionError("asked Wagtail")):
        response = client.get(LISTING + "&limit=100")

    assert response.status_code == 200
    assert response.json()["items"][0]["lead_image"]["renditions"]["small"]["width"] == 640


@pytest.mark.django_db
def test_a_missing_rendition_is_made_once_then_found(client, many_articles):
    image = many_articles.image
    cache.clear()
    client.get(LISTING)
    image.renditions.filter(filter_spec="width-640|format-webp").delete()
    cache.clear()

    served = client.get(LISTING).json()["items"][0]["lead_image"]["renditions"]["small"]["webp_url"]

    rendition = image.renditions.get(filter_spec="width-640|format-webp")
    assert served.endswith(rendition.url)


def test_urls_of_local_files_are_remembered_and_other_storages_asked_each_time(tmp_path):
    from django.core.files.storage import FileSystemStorage, Storage

    from cms.api_images import _file_urls

    local = FileSystemStorage(location=tmp_path, base_url="/media/")
    with mock.patch.object(FileSystemStorage, "url", autospec=True, side_effect=lambda self, name: f"/m/{name}") as url:
        assert [_file_urls(local)("images/a.jpg") for _ in range(3)] == ["/m/images/a.jpg"] * 3
    assert url.call_count == 1

    class SignedStorage(Storage):
        calls = 0

        def url(self, name):
            self.calls += 1
            return f"https://cdn.example/{name}?signature={self.calls}"

    remote = SignedStorage()
    assert [_file_urls(remote)("images/a.jpg") for _ in range(2)] == [
        "https://cdn.example/images/a.jpg?signature=1",
        "https://cdn.example/images/a.jpg?signature=2",
    ]
