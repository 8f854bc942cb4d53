"""People and topics link their other language versions, as pages do, in a fixed number of queries."""

import pytest
from django.core.cache import cache
from wagtail.models import Locale

from cms.routing import HomeDirectory
from taxonomy.models import Person, Topic


@pytest.fixture
def portal(shared_portal):
    cache.clear()
    return shared_portal


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.json()


@pytest.mark.django_db
def test_a_person_and_a_topic_link_their_translations(client, portal):
    person = get(client, f"/api/v1/people/{portal.rasmussen_fr.pk}/")
    topic = get(client, f"/api/v1/topics/{portal.defence.pk}/")
    untranslated = get(client, f"/api/v1/people/{portal.racine.pk}/")

    assert person["translations"] == [{"id": portal.rasmussen.pk, "locale": "en", "name": "Anders Fogh Rasmussen"}]
    assert topic["translations"] == [{"id": portal.defence_fr.pk, "locale": "fr", "name": "Défense"}]
    assert untranslated["translations"] == []


@pytest.mark.django_db
def test_listings_link_each_items_translations(client, portal):
    topics = {item["id"]: item["translations"] for item in get(client, "/api/v1/topics/")["items"]}
    french = get(client, "/api/v1/people/?locale=fr")["items"]

    assert topics == {
        portal.defence.pk: [{"id": portal.defence_fr.pk, "locale": "fr", "name": "Défense"}],
        portal.defence_fr.pk: [{"id": portal.defence.pk, "locale": "en", "name": "Defence"}],
        portal.budget.pk: [],
    }
    assert [item["translations"] for item in french] == [
        [{"id": portal.rasmussen.pk, "locale": "en", "name": "Anders Fogh Rasmussen"}]
    ]


@pytest.mark.django_db
def test_a_new_translation_shows_at_once(client, portal, django_capture_on_commit_callbacks):
    url = f"/api/v1/topics/{portal.budget.pk}/"
    assert get(client, url)["translations"] == []

    # The cached answer is dropped after the commit, as in a real request.
    with django_capture_on_commit_callbacks(execute=True):
        budget_fr = portal.budget.copy_for_translation(Locale.objects.get(language_code="fr"))
        budget_fr.save()

    assert get(client, url)["translations"] == [{"id": budget_fr.pk, "locale": "fr", "name": "Budget"}]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "model"), [("/api/v1/people/", Person), ("/api/v1/topics/", Topic)])
def test_listing_queries_do_not_grow_with_the_page_size(client, portal, django_assert_max_num_queries, path, model):
    fr = Locale.objects.get(language_code="fr")
    for number in range(40):
        extra = {"role": "Reporter"} if model is Person else {"slug": f"bulk-{number}"}
        original = model.objects.create(name=f"Bulk {number:02}", locale=portal.home.locale, **extra)
        original.copy_for_translation(fr).save()

    counts = {}
    for limit in (2, 20, 80):
        cache.clear()
        HomeDirectory.load()
        with django_assert_max_num_queries(10) as captured:
            items = get(client, f"{path}?limit={limit}")["items"]
        assert len(items) == limit and all(item["translations"] for item in items if item["name"].startswith("Bulk"))
        counts[limit] = len(captured.captured_queries)

    assert counts[2] == counts[20] == counts[80], counts
