"""The content API through real HTTP requests: items, filters, locales, links, images, bad input."""

import pytest
from django.core.cache import cache


@pytest.fixture
def portal(shared_portal):
    """For tests that only read: built once per module."""
    cache.clear()
    return shared_portal


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.json() if response.content else None


def ids(payload):
    return [item["id"] for item in payload["items"]]


NEWS = "type=news.NewsArticlePage"


# --- items ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_news_article_carries_everything_a_front_end_needs(client, portal):
    item = get(client, f"/api/v1/pages/{portal.newest.pk}/")

    assert item["type"] == "news.NewsArticlePage"
    assert (item["locale"], item["slug"], item["url"], item["site"]) == (
        "en",
        "newest-news",
        "/en/news/newest-news/",
        "localhost",
    )
    assert item["seo"] == {"title": "Article 3", "description": ""}
    assert item["translations"] == [
        {"id": portal.newest_fr.pk, "title": "Article 3 (fr)", "locale": "fr", "url": "/fr/actualites/nouvelle/"}
    ]
    assert item["topics"] == [{"id": portal.defence.pk, "name": "Defence", "slug": "defence"}]
    assert item["people"] == [
        {
            "id": portal.rasmussen.pk,
            "name": "Anders Fogh Rasmussen",
            "role": "NATO Secretary General",
            "part": "mentioned",
        }
    ]
    assert [block["type"] for block in item["body"]] == ["paragraph", "heading", "image", "quote", "related_links"]
    assert item["body"][1]["value"] == {"text": "Context", "level": "h2"}
    assert item["body"][4]["value"]["links"][0]["page"]["url"] == "/en/news/old-news/"
    assert item["related_pages"] == [
        {"id": portal.middle.pk, "title": "Article 2", "locale": "en", "url": "/en/news/middle-news/"}
    ]
    assert item["first_published_at"] and item["last_published_at"] and item["published_at"]


@pytest.mark.django_db
def test_rich_text_links_resolve_to_front_end_urls_in_the_items_language(client, portal):
    english = get(client, f"/api/v1/pages/{portal.newest.pk}/")["body"][0]["value"]
    french = get(client, f"/api/v1/pages/{portal.newest_fr.pk}/")["body"][0]["value"]

    assert f'href="/en/news/old-news/" data-page-id="{portal.old.pk}"' in english
    # The French text links the French version where there is one, the English one otherwise.
    assert f'href="/fr/actualites/ancienne/" data-page-id="{portal.old_fr.pk}"' in french
    assert f'href="/en/news/middle-news/" data-page-id="{portal.middle.pk}"' in french
    assert f'href="http://testserver{portal.document.url}" data-document-id="{portal.document.pk}"' in english
    assert "linktype" not in english


@pytest.mark.django_db
def test_links_to_another_site_are_full_urls_of_that_site(client, portal):
    body = get(client, f"/api/v1/pages/{portal.other_article.pk}/")["body"][0]["value"]

    assert 'href="http://localhost/en/news/newest-news/"' in body


@pytest.mark.django_db
def test_images_come_as_named_renditions_with_srcset_and_webp(client, portal):
    image = get(client, f"/api/v1/pages/{portal.newest.pk}/")["lead_image"]

    assert image["alt"] == "Ministers (alt text)"
    assert (image["width"], image["height"]) == (1600, 900)
    assert set(image["renditions"]) == {"thumbnail", "small", "medium", "large"}
    thumbnail = image["renditions"]["thumbnail"]
    assert (thumbnail["width"], thumbnail["height"]) == (480, 270)
    assert thumbnail["url"].startswith("http://testserver/media/images/") and thumbnail["webp_url"].endswith(".webp")
    assert image["renditions"]["small"]["width"] == 640
    # The large size never upscales past the original.
    assert image["renditions"]["large"]["width"] == 1600
    assert "640w" in image["srcset"] and ".webp 640w" in image["srcset_webp"]


@pytest.mark.django_db
def test_an_interview_has_typed_questions_and_answers_with_speakers(client, portal):
    item = get(client, f"/api/v1/pages/{portal.interview.pk}/")

    assert [block["type"] for block in item["body"]] == ["question", "answer", "note"]
    assert item["body"][1]["value"]["speaker"] == {"id": portal.racine.pk, "name": "Bruno Racine", "role": "Expert"}
    assert item["body"][1]["value"]["text"] == "<p>A very good start.</p>"
    assert item["people"][0]["part"] == "interviewee"
    assert (item["date"], item["place"], item["event"]) == ("2009-10-15", "Luxembourg", "Seminar")


@pytest.mark.django_db
def test_a_video_page_has_asset_facts_poster_shots_and_localized_speakers(client, portal):
    english = get(client, f"/api/v1/pages/{portal.video_page.pk}/")
    french = get(client, f"/api/v1/pages/{portal.video_page_fr.pk}/")

    video = english["video"]
    assert (video["width"], video["height"], video["video_codec"], video["audio_codec"]) == (320, 240, "h264", "aac")
    assert video["duration"] == pytest.approx(4.0, abs=0.1) and video["size"] > 0 and video["all_intra"] is False
    assert [(s["number"], s["in_point"], s["out_point"]) for s in english["shots"]] == [
        (1, "00:00:00.000", "00:00:01.500"),
        (2, "00:00:01.500", "00:00:03.900"),
    ]
    assert english["shots"][1]["speaker"]["role"] == "NATO Secretary General"
    assert french["shots"][1]["speaker"]["role"] == "Secrétaire général de l'OTAN"
    assert (english["copyright"], english["usage_restrictions"]) == ("NATO", "Editorial use only.")
    assert english["captions"] == []


@pytest.mark.django_db
def test_snippets_are_shown_in_the_items_language(client, portal):
    french = get(client, f"/api/v1/pages/{portal.newest_fr.pk}/")

    assert french["topics"] == [{"id": portal.defence_fr.pk, "name": "Défense", "slug": "defense"}]
    assert french["people"][0]["role"] == "Secrétaire général de l'OTAN"


@pytest.mark.django_db
def test_the_home_page_lists_featured_items_in_its_language(client, portal):
    english = get(client, f"/api/v1/pages/{portal.home.pk}/")
    french = get(client, f"/api/v1/pages/{portal.home_fr.pk}/")

    assert [link["id"] for link in english["featured"]] == [portal.newest.pk]
    assert [link["id"] for link in french["featured"]] == [portal.newest_fr.pk]


# --- listing, filters and ordering ----------------------------------------------------------


@pytest.mark.django_db
def test_listing_returns_summaries_newest_first_with_the_total(client, portal):
    payload = get(client, f"/api/v1/pages/?{NEWS}&locale=en&site=localhost")

    assert payload["count"] == 3 and (payload["limit"], payload["offset"]) == (20, 0)
    assert ids(payload) == [portal.newest.pk, portal.middle.pk, portal.old.pk]
    first = payload["items"][0]
    assert "body" not in first and "standfirst" in first and "lead_image" in first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("date", ["old", "middle", "newest"]),
        ("-date", ["newest", "middle", "old"]),
        ("title", ["old", "middle", "newest"]),
        ("-first_published_at", ["newest", "middle", "old"]),
    ],
)
def test_orderings(client, portal, order, expected):
    payload = get(client, f"/api/v1/pages/?{NEWS}&locale=en&site=localhost&order={order}")

    assert ids(payload) == [getattr(portal, name).pk for name in expected]


@pytest.mark.django_db
def test_limit_and_offset_page_through_results(client, portal):
    first = get(client, f"/api/v1/pages/?{NEWS}&locale=en&site=localhost&limit=2")
    second = get(client, f"/api/v1/pages/?{NEWS}&locale=en&site=localhost&limit=2&offset=2")
    beyond = get(client, f"/api/v1/pages/?{NEWS}&locale=en&site=localhost&limit=2&offset=10")

    assert ids(first) + ids(second) == [portal.newest.pk, portal.middle.pk, portal.old.pk]
    assert first["count"] == second["count"] == beyond["count"] == 3 and beyond["items"] == []


@pytest.mark.django_db
def test_filters(client, portal):
    def listed(query):
        return set(ids(get(client, f"/api/v1/pages/?{query}")))

    assert listed(f"{NEWS}&locale=fr") == {portal.old_fr.pk, portal.newest_fr.pk}
    assert listed(f"{NEWS}&site=other.example") == {portal.other_article.pk}
    assert listed(f"child_of={portal.news.pk}") == {portal.old.pk, portal.middle.pk, portal.newest.pk}
    assert portal.video_page.pk in listed(f"descendant_of={portal.home.pk}")
    assert portal.video_page.pk not in listed(f"descendant_of={portal.news.pk}")
    # Topics and people match whichever language version is given.
    assert listed(f"{NEWS}&topic={portal.defence_fr.pk}&locale=en") == {
        portal.old.pk,
        portal.middle.pk,
        portal.newest.pk,
    }
    assert listed(f"person={portal.racine.pk}") == {portal.interview.pk}
    assert listed(f"topic={portal.budget.pk}") == set()
    assert listed(f"translation_of={portal.newest.pk}") == {portal.newest_fr.pk}
    assert listed(
        f"{NEWS}&locale=en&site=localhost&date_from=2000-01-01&date_to={portal.middle.published_at.date()}"
    ) == {
        portal.old.pk,
        portal.middle.pk,
    }
    assert listed("type=interviews.InterviewPage&type=videos.VideoPage&locale=en") == {
        portal.interview.pk,
        portal.video_page.pk,
    }


@pytest.mark.django_db
def test_fallback_serves_the_english_item_where_no_french_one_is_live(client, portal):
    payload = get(client, f"/api/v1/pages/?{NEWS}&locale=fr&fallback=en&site=localhost")

    served = {item["id"]: (item["locale"], item["is_fallback"]) for item in payload["items"]}
    assert served == {
        portal.newest_fr.pk: ("fr", False),
        portal.middle.pk: ("en", True),
        portal.old_fr.pk: ("fr", False),
    }
    assert payload["count"] == 3


@pytest.mark.django_db
def test_child_of_follows_translations_when_falling_back(client, portal):
    payload = get(client, f"/api/v1/pages/?child_of={portal.news_fr.pk}&locale=fr&fallback=en")

    assert set(ids(payload)) == {portal.newest_fr.pk, portal.middle.pk, portal.old_fr.pk}


@pytest.mark.django_db
def test_field_selection(client, portal):
    everything = get(client, f"/api/v1/pages/?{NEWS}&locale=en&fields=*&limit=1")["items"][0]
    chosen = get(client, f"/api/v1/pages/?{NEWS}&locale=en&fields=dateline,topics&limit=1")["items"][0]
    detail_summary = get(client, f"/api/v1/pages/{portal.newest.pk}/?fields=summary")

    assert {"body", "related_pages", "lead_image"} <= set(everything)
    assert {"dateline", "topics"} <= set(chosen) and not {"body", "standfirst", "lead_image"} & set(chosen)
    assert "id" in chosen and "translations" in chosen
    assert "body" not in detail_summary and "standfirst" in detail_summary


@pytest.mark.django_db
def test_find_returns_the_item_at_a_front_end_path(client, portal):
    french = get(client, "/api/v1/pages/find/?site=localhost&path=/fr/actualites/nouvelle/")
    home = get(client, "/api/v1/pages/find/?site=localhost&path=/fr/")

    assert french["id"] == portal.newest_fr.pk and "body" in french
    assert home["id"] == portal.home_fr.pk
    get(client, "/api/v1/pages/find/?site=localhost&path=/fr/actualites/nothing-here/", status=404)
    get(client, "/api/v1/pages/find/?site=nowhere.example&path=/fr/", status=404)
    get(client, "/api/v1/pages/find/?site=localhost&path=/de/news/", status=404)


@pytest.mark.django_db
def test_sites_list_front_ends_with_their_homes(client, portal):
    sites = {site["hostname"]: site for site in get(client, "/api/v1/sites/")}

    assert sites["localhost"]["locales"] == ["en", "fr"] or sorted(sites["localhost"]["locales"]) == ["en", "fr"]
    assert {home["page_id"] for home in sites["localhost"]["homes"]} == {portal.home.pk, portal.home_fr.pk}
    assert sites["other.example"]["locales"] == ["en"]


@pytest.mark.django_db
def test_people_and_topics_endpoints(client, portal):
    people = get(client, "/api/v1/people/?locale=fr")
    topics = get(client, "/api/v1/topics/")
    person = get(client, f"/api/v1/people/{portal.rasmussen_fr.pk}/")

    assert [p["role"] for p in people["items"]] == ["Secrétaire général de l'OTAN"]
    assert topics["count"] == 3
    assert person["translation_key"] == str(portal.rasmussen.translation_key)
    get(client, "/api/v1/topics/999999/", status=404)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "mentions"),
    [
        ("/api/v1/pages/?unknown=1", 400, "unknown"),
        ("/api/v1/pages/?limt=5", 400, "limt"),
        ("/api/v1/pages/?type=news.Nope", 400, "news.Nope"),
        ("/api/v1/pages/?type=news.NewsArticlePage&fields=body,colour", 400, "colour"),
        ("/api/v1/pages/?locale=xx", 400, "xx"),
        ("/api/v1/pages/?limit=101", 400, "limit"),
        ("/api/v1/pages/?limit=0", 400, "limit"),
        ("/api/v1/pages/?offset=-1", 400, "offset"),
        ("/api/v1/pages/?order=colour", 400, "order"),
        ("/api/v1/pages/?child_of=abc", 400, "child_of"),
        ("/api/v1/pages/?date_from=yesterday", 400, "date_from"),
        ("/api/v1/pages/?site=nowhere.example", 404, "nowhere.example"),
        ("/api/v1/pages/?child_of=999999", 404, "999999"),
        ("/api/v1/pages/abc/", 400, "page_id"),
        ("/api/v1/pages/999999/", 404, "999999"),
        ("/api/v1/pages/{newest}/?fields=nope", 400, "nope"),
        ("/api/v1/pages/find/?site=localhost", 400, "path"),
        ("/api/v1/people/?limit=1000", 400, "limit"),
        # Past the deepest offset, and past the database's own integers (was a 500).
        ("/api/v1/pages/?offset=10001", 400, "offset"),
        ("/api/v1/pages/?offset=9223372036854775808", 400, "offset"),
        ("/api/v1/people/?offset=9223372036854775808", 400, "offset"),
        ("/api/v1/topics/?offset=9223372036854775808", 400, "offset"),
        ("/api/v1/search/?q=summit&offset=9223372036854775808", 400, "offset"),
        ("/api/v1/sites/?page=2", 400, "page"),
    ],
)
def test_bad_input_gets_a_problem_document(client, portal, url, status, mentions):
    response = client.get(url.format(newest=portal.newest.pk))

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    assert mentions in problem["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/pages/", "/api/v1/people/", "/api/v1/topics/", "/api/v1/search/?q=summit"])
def test_the_deepest_offset_is_still_answered(client, portal, path):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}offset=10000")

    assert response.status_code == 200, response.content[:300]
    assert response.json()["items"] == []
