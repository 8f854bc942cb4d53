"""Where each page type may be created: the content model's tree rules.

HomePage under the root only; one index of each kind per home; items under
their own index only; nothing under an item. Checked on the models and
through the admin's add-page views, which is where editors meet the rules.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Page

from home.models import HomePage
from interviews.models import InterviewIndexPage, InterviewPage
from news.models import NewsArticlePage, NewsIndexPage
from tests.helpers import make_article, make_superuser
from videos.models import VideoIndexPage, VideoPage

INDEX_PAGES = [NewsIndexPage, InterviewIndexPage, VideoIndexPage]
ITEM_PAGES = {NewsIndexPage: NewsArticlePage, InterviewIndexPage: InterviewPage, VideoIndexPage: VideoPage}
LEAF_PAGES = list(ITEM_PAGES.values())
ALL_PAGES = [HomePage, *INDEX_PAGES, *LEAF_PAGES]


def add_url(page_class, parent):
    return reverse("wagtailadmin_pages:add", args=[page_class._meta.app_label, page_class._meta.model_name, parent.pk])


def assert_refused(response):
    """Wagtail's admin answers PermissionDenied by sending the editor home with an error message."""
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("wagtailadmin_home")
    errors = [str(message).strip() for message in get_messages(response.wsgi_request) if message.level_tag == "error"]
    assert errors == ["Sorry, you do not have permission to access this area."]


# --------------------------------------------------------------------------- #
# The rules as declared on the models
# --------------------------------------------------------------------------- #


def test_home_page_lives_under_the_root_only_and_holds_the_three_indexes():
    assert HomePage.allowed_parent_page_models() == [Page]
    assert set(HomePage.allowed_subpage_models()) == set(INDEX_PAGES)


@pytest.mark.parametrize("index_class", INDEX_PAGES, ids=lambda cls: cls.__name__)
def test_each_index_lives_under_a_home_page_and_holds_only_its_own_items(index_class):
    assert index_class.allowed_parent_page_models() == [HomePage]
    assert index_class.allowed_subpage_models() == [ITEM_PAGES[index_class]]
    assert index_class.max_count_per_parent == 1


@pytest.mark.parametrize("item_class", LEAF_PAGES, ids=lambda cls: cls.__name__)
def test_items_live_under_their_own_index_and_are_leaves(item_class):
    (index_class,) = [index for index, item in ITEM_PAGES.items() if item is item_class]
    assert item_class.allowed_parent_page_models() == [index_class]
    assert item_class.allowed_subpage_models() == []


# --------------------------------------------------------------------------- #
# The rules applied to a real tree
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_home_page_can_be_created_under_the_root_and_nowhere_else(site_tree):
    assert HomePage.can_create_at(site_tree.root)
    for parent in (site_tree.home, site_tree.news, site_tree.interviews, site_tree.videos):
        assert not HomePage.can_create_at(parent), parent


@pytest.mark.django_db
def test_indexes_cannot_be_created_under_the_root_or_an_index(site_tree):
    for index_class in INDEX_PAGES:
        for parent in (site_tree.root, site_tree.news, site_tree.interviews, site_tree.videos):
            assert not index_class.can_create_at(parent), (index_class, parent)


@pytest.mark.django_db
def test_a_home_page_takes_at_most_one_index_of_each_kind(site_tree, locales):
    # site_tree's home already has one of each.
    for index_class in INDEX_PAGES:
        assert not index_class.can_create_at(site_tree.home), index_class

    # An empty home (another front end) takes one of each, then no more.
    other_home = site_tree.root.add_child(instance=HomePage(title="Other front end", slug="other", locale=locales.en))
    for index_class in INDEX_PAGES:
        assert index_class.can_create_at(other_home), index_class
    other_home.add_child(instance=NewsIndexPage(title="News", slug="news"))
    assert not NewsIndexPage.can_create_at(other_home)
    assert InterviewIndexPage.can_create_at(other_home)
    assert VideoIndexPage.can_create_at(other_home)


@pytest.mark.django_db
def test_items_can_be_created_only_under_their_own_index(site_tree):
    parents = {
        NewsIndexPage: site_tree.news,
        InterviewIndexPage: site_tree.interviews,
        VideoIndexPage: site_tree.videos,
    }
    for index_class, item_class in ITEM_PAGES.items():
        for parent_class, parent in parents.items():
            assert item_class.can_create_at(parent) is (parent_class is index_class), (item_class, parent)
        assert not item_class.can_create_at(site_tree.home)
        assert not item_class.can_create_at(site_tree.root)


@pytest.mark.django_db
def test_nothing_can_be_created_under_an_item(site_tree):
    article = make_article(site_tree.news)
    for page_class in ALL_PAGES:
        assert not page_class.can_create_at(article), page_class


# --------------------------------------------------------------------------- #
# The rules through the admin
# --------------------------------------------------------------------------- #


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page_class", "parent_name"),
    [
        (HomePage, "root"),
        (NewsArticlePage, "news"),
        (InterviewPage, "interviews"),
        (VideoPage, "videos"),
    ],
)
def test_admin_add_view_renders_for_an_allowed_parent(editor_client, site_tree, page_class, parent_name):
    response = editor_client.get(add_url(page_class, getattr(site_tree, parent_name)))
    assert response.status_code == 200
    assert response.context["page"].__class__ is page_class


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page_class", "parent_name"),
    [
        (HomePage, "home"),  # a home under a home
        (NewsIndexPage, "root"),  # an index outside a home
        (NewsIndexPage, "home"),  # a second news index in the same home
        (VideoIndexPage, "home"),  # a second video index in the same home
        (NewsArticlePage, "home"),  # an article outside the news index
        (NewsArticlePage, "interviews"),  # an article under the wrong index
        (InterviewPage, "news"),
        (VideoPage, "interviews"),
    ],
)
def test_admin_add_view_refuses_a_forbidden_parent_or_type(editor_client, site_tree, page_class, parent_name):
    assert_refused(editor_client.get(add_url(page_class, getattr(site_tree, parent_name))))


@pytest.mark.django_db
def test_admin_add_view_refuses_a_child_of_a_leaf_page(editor_client, site_tree):
    article = make_article(site_tree.news)
    assert_refused(editor_client.get(add_url(NewsArticlePage, article)))


@pytest.mark.django_db
def test_posting_a_forbidden_page_creates_nothing(editor_client, site_tree):
    response = editor_client.post(
        add_url(NewsArticlePage, site_tree.interviews), {"title": "Misplaced", "slug": "misplaced"}
    )
    assert_refused(response)
    assert not NewsArticlePage.objects.exists()


@pytest.mark.django_db
def test_add_subpage_view_offers_only_the_missing_indexes_of_a_home(editor_client, site_tree, locales):
    other_home = site_tree.root.add_child(instance=HomePage(title="Other front end", slug="other", locale=locales.en))
    other_home.add_child(instance=VideoIndexPage(title="Videos", slug="videos"))

    response = editor_client.get(reverse("wagtailadmin_pages:add_subpage", args=[other_home.pk]))

    assert response.status_code == 200
    offered = {(app_label, model_name) for _name, app_label, model_name, _help in response.context["page_types"]}
    assert offered == {("news", "newsindexpage"), ("interviews", "interviewindexpage")}


@pytest.mark.django_db
def test_add_subpage_view_of_an_index_goes_straight_to_its_item_form(editor_client, site_tree):
    response = editor_client.get(reverse("wagtailadmin_pages:add_subpage", args=[site_tree.news.pk]))
    assert response.status_code == 302
    assert response["Location"] == add_url(NewsArticlePage, site_tree.news)
