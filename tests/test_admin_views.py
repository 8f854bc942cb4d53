"""The Wagtail admin works for every page type and snippet of the content model.

Each create/edit view renders with the panels editors need; posting real
admin forms (built with Wagtail's form_data helpers) creates pages with
StreamField blocks and inline links; the admin also renders in French.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from home.models import HomePage
from interviews.models import InterviewIndexPage, InterviewPage
from news.models import NewsArticlePage, NewsIndexPage
from taxonomy.models import PagePerson, Person, Topic
from tests.helpers import make_article, make_image, make_person, make_superuser, make_topic
from videos.models import VideoIndexPage, VideoPage, VideoShot

# The form fields and inline formsets each page type's edit form must have.
PAGE_FORMS = {
    HomePage: ({"title", "slug", "intro"}, {"featured_items"}),
    NewsIndexPage: ({"title", "slug", "intro"}, set()),
    NewsArticlePage: (
        {"title", "slug", "published_at", "dateline", "standfirst", "lead_image", "body"},
        {"topic_links", "person_links", "related_links"},
    ),
    InterviewIndexPage: ({"title", "slug", "intro"}, set()),
    InterviewPage: (
        {"title", "slug", "date", "place", "event", "standfirst", "body"},
        {"person_links", "topic_links", "related_links"},
    ),
    VideoIndexPage: ({"title", "slug", "intro"}, set()),
    VideoPage: (
        {
            "title",
            "slug",
            "video",
            "recorded_on",
            "place",
            "summary",
            "transcript",
            "credits",
            "copyright",
            "usage_restrictions",
            "poster_override",
        },
        {"shots", "caption_tracks", "person_links", "topic_links", "related_links"},
    ),
}

# Panel headings and labels of our own that editors see on each form.
PAGE_HEADINGS = {
    HomePage: ["Featured"],
    NewsIndexPage: ["Introduction"],
    NewsArticlePage: ["Publication", "Standfirst", "Lead image", "Body", "Topics", "People mentioned", "Related pages"],
    InterviewIndexPage: ["Introduction"],
    InterviewPage: ["When and where", "Interviewees and interviewer", "Questions and answers", "Topics"],
    VideoIndexPage: ["Introduction"],
    VideoPage: ["Shot list", "Captions", "Credits and rights", "People featured", "Transcript", "Usage restrictions"],
}


@pytest.fixture
def editor(django_user_model):
    return make_superuser(django_user_model)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def add_url(page_class, parent):
    return reverse("wagtailadmin_pages:add", args=[page_class._meta.app_label, page_class._meta.model_name, parent.pk])


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def without_block_keys(html):
    """Draftail adds a data-block-key to each block it saves; the content is what matters here."""
    return re.sub(r' data-block-key="[^"]*"', "", html)


def html_text(response):
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def assert_page_form(response, page_class):
    assert response.status_code == 200
    form = response.context["form"]
    fields, formsets = PAGE_FORMS[page_class]
    assert fields <= set(form.fields), fields - set(form.fields)
    assert formsets <= set(form.formsets), formsets - set(form.formsets)
    text = html_text(response)
    for heading in PAGE_HEADINGS[page_class]:
        assert heading in text, heading


@pytest.fixture
def pages(site_tree, make_video, locales):
    """One saved page of every type, for the edit views."""
    person = make_person(locales.en)
    article = make_article(site_tree.news, person=person, topic=make_topic(locales.en))
    interview = InterviewPage(title="Five questions", slug="five-questions")
    site_tree.interviews.add_child(instance=interview)
    video_page = VideoPage(title="Summit press conference", slug="press-conference", video=make_video())
    video_page.shots = [VideoShot(in_point=0, out_point=1500, description="Arrival", locale=locales.en)]
    site_tree.videos.add_child(instance=video_page)
    return {
        HomePage: site_tree.home,
        NewsIndexPage: site_tree.news,
        NewsArticlePage: article,
        InterviewIndexPage: site_tree.interviews,
        InterviewPage: interview,
        VideoIndexPage: site_tree.videos,
        VideoPage: video_page,
    }


# --------------------------------------------------------------------------- #
# Pages: create and edit views render with their panels
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
@pytest.mark.parametrize("page_class", list(PAGE_FORMS), ids=lambda cls: cls.__name__)
def test_page_create_view_renders_with_its_panels(editor_client, locales, page_class):
    # Each type under a fresh parent of the right type, so max_count_per_parent never gets in the way.
    root = Page.get_first_root_node()
    parent = root
    if page_class is not HomePage:
        parent = root.add_child(instance=HomePage(title="Portal", slug="portal", locale=locales.en))
        index_of = {NewsArticlePage: NewsIndexPage, InterviewPage: InterviewIndexPage, VideoPage: VideoIndexPage}
        if page_class in index_of:
            parent = parent.add_child(instance=index_of[page_class](title="Index", slug="index"))

    response = editor_client.get(add_url(page_class, parent))

    assert_page_form(response, page_class)


@pytest.mark.django_db
@pytest.mark.parametrize("page_class", list(PAGE_FORMS), ids=lambda cls: cls.__name__)
def test_page_edit_view_renders_with_its_panels(editor_client, pages, page_class):
    page = pages[page_class]

    response = editor_client.get(edit_url(page))

    assert_page_form(response, page_class)
    assert response.context["page"].pk == page.pk
    assert page.title in html_text(response)


@pytest.mark.django_db
def test_video_page_edit_view_shows_its_shot_timecodes(editor_client, pages):
    response = editor_client.get(edit_url(pages[VideoPage]))
    shot_form = response.context["form"].formsets["shots"].forms[0]
    assert shot_form["in_point"].value() == 0
    assert 'value="00:00:01.500"' in shot_form["out_point"].as_widget()
    assert "Arrival" in response.content.decode()


# --------------------------------------------------------------------------- #
# Pages: posting the real admin forms
# --------------------------------------------------------------------------- #


def empty_formsets(*names):
    return {name: inline_formset([]) for name in names}


@pytest.mark.django_db
def test_posting_a_news_article_creates_it_with_blocks_and_links(editor_client, editor, site_tree, locales):
    topic = make_topic(locales.en)
    person = make_person(locales.en)
    image = make_image()
    data = nested_form_data(
        {
            "title": "Ministers meet in Brussels",
            "slug": "ministers-meet",
            "published_at": "2025-06-02 09:30",
            "dateline": "Brussels",
            "standfirst": "Defence ministers agree on new capability targets.",
            "lead_image": image.pk,
            "body": streamfield(
                [
                    ("paragraph", rich_text("<p>The ministers met on <b>Monday</b>.</p>")),
                    ("heading", {"text": "Targets", "level": "h3"}),
                    ("quote", {"quote": "A historic day.", "attribution": "Jane Doe"}),
                ]
            ),
            "topic_links": inline_formset([{"topic": topic.pk}]),
            "person_links": inline_formset([{"person": person.pk, "role": PagePerson.Role.INTERVIEWEE}]),
            **empty_formsets("related_links", "comments"),
            "action-publish": "action-publish",
        }
    )

    response = editor_client.post(add_url(NewsArticlePage, site_tree.news), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    article = NewsArticlePage.objects.get(slug="ministers-meet")
    assert response["Location"] == reverse("wagtailadmin_explore", args=[site_tree.news.pk])
    assert article.get_parent().pk == site_tree.news.pk
    assert article.live
    assert article.locale == locales.en
    assert article.owner == editor
    assert (article.published_at.year, article.published_at.month, article.published_at.day) == (2025, 6, 2)
    assert article.lead_image == image
    assert [block.block_type for block in article.body] == ["paragraph", "heading", "quote"]
    assert without_block_keys(article.body[0].value.source) == "<p>The ministers met on <b>Monday</b>.</p>"
    assert dict(article.body[1].value) == {"text": "Targets", "level": "h3"}
    assert article.body[2].value["quote"] == "A historic day."
    assert [link.topic for link in article.topic_links.all()] == [topic]
    assert [(link.person, link.role) for link in article.person_links.all()] == [(person, "interviewee")]


@pytest.mark.django_db
def test_posting_a_news_article_with_an_invalid_block_is_refused(editor_client, site_tree):
    data = nested_form_data(
        {
            "title": "Broken link",
            "slug": "broken-link",
            "published_at": "2025-06-02 09:30",
            # An external link without a title breaks RelatedLinkBlock's rule.
            "body": streamfield(
                [
                    (
                        "related_links",
                        {
                            "heading": "",
                            "links": streamfield([("item", {"title": "", "page": "", "url": "https://example.org/"})]),
                        },
                    )
                ]
            ),
            **empty_formsets("topic_links", "person_links", "related_links", "comments"),
        }
    )

    response = editor_client.post(add_url(NewsArticlePage, site_tree.news), data)

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not NewsArticlePage.objects.filter(slug="broken-link").exists()


@pytest.mark.django_db
def test_posting_an_interview_creates_question_and_answer_blocks(editor_client, site_tree, locales):
    speaker = make_person(locales.en, name="Jane Doe", role="Secretary General")
    data = nested_form_data(
        {
            "title": "Five questions to the Secretary General",
            "slug": "five-questions",
            "date": "2025-05-20",
            "place": "Brussels",
            "event": "Press seminar",
            "standfirst": "On capabilities and partnerships.",
            "body": streamfield(
                [
                    ("question", {"text": rich_text("<p>What comes next?</p>"), "asker": "", "outlet": ""}),
                    ("answer", {"speaker": speaker.pk, "text": rich_text("<p>More cooperation.</p>")}),
                    (
                        "question",
                        {"text": rich_text("<p>And the budget?</p>"), "asker": "A. Reporter", "outlet": "Daily"},
                    ),
                    ("answer", {"speaker": speaker.pk, "text": rich_text("<p>It grows.</p>")}),
                ]
            ),
            "person_links": inline_formset([{"person": speaker.pk, "role": PagePerson.Role.INTERVIEWEE}]),
            **empty_formsets("topic_links", "related_links", "comments"),
        }
    )

    response = editor_client.post(add_url(InterviewPage, site_tree.interviews), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    interview = InterviewPage.objects.get(slug="five-questions")
    assert not interview.live  # saved as a draft: no publish action was posted
    assert [block.block_type for block in interview.body] == ["question", "answer", "question", "answer"]
    assert without_block_keys(interview.body[0].value["text"].source) == "<p>What comes next?</p>"
    assert interview.body[1].value["speaker"] == speaker
    assert without_block_keys(interview.body[1].value["text"].source) == "<p>More cooperation.</p>"
    assert (interview.body[2].value["asker"], interview.body[2].value["outlet"]) == ("A. Reporter", "Daily")
    assert [link.person for link in interview.person_links.all()] == [speaker]


def unattributed_answer_data(**extra):
    return nested_form_data(
        {
            "title": "Unattributed",
            "slug": "unattributed",
            "date": "2025-05-20",
            "body": streamfield([("answer", {"speaker": "", "text": rich_text("<p>Who said this?</p>")})]),
            **empty_formsets("person_links", "topic_links", "related_links", "comments"),
            **extra,
        }
    )


@pytest.mark.django_db
def test_publishing_an_answer_without_a_speaker_is_refused(editor_client, site_tree):
    response = editor_client.post(
        add_url(InterviewPage, site_tree.interviews), unattributed_answer_data(**{"action-publish": "action-publish"})
    )

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not InterviewPage.objects.exists()


@pytest.mark.django_db
def test_a_draft_may_leave_the_speaker_for_later(editor_client, site_tree):
    # Wagtail 7+ defers required-field validation when saving a draft; it applies on publish (above).
    response = editor_client.post(add_url(InterviewPage, site_tree.interviews), unattributed_answer_data())

    assert response.status_code == 302
    interview = InterviewPage.objects.get(slug="unattributed")
    assert not interview.live
    assert interview.body[0].value["speaker"] is None


# --------------------------------------------------------------------------- #
# Snippets: people, topics, videos
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "fields", "labels"),
    [(Person, {"name", "role"}, ["Name", "Role or title"]), (Topic, {"name", "slug"}, ["Name", "Slug"])],
    ids=["person", "topic"],
)
def test_taxonomy_snippet_create_and_edit_views_render(editor_client, locales, model, fields, labels):
    url_prefix = f"wagtailsnippets_taxonomy_{model._meta.model_name}"
    instance = make_person(locales.en) if model is Person else make_topic(locales.en)

    for response in (
        editor_client.get(reverse(f"{url_prefix}:add")),
        editor_client.get(reverse(f"{url_prefix}:edit", args=[instance.pk])),
    ):
        assert response.status_code == 200
        assert set(response.context["form"].fields) == fields
        text = html_text(response)
        for label in labels:
            assert label in text

    listing = editor_client.get(reverse(f"{url_prefix}:list"))
    assert listing.status_code == 200
    assert str(instance) in html_text(listing)


@pytest.mark.django_db
def test_posting_a_person_creates_it_in_the_default_locale(editor_client, locales):
    response = editor_client.post(
        reverse("wagtailsnippets_taxonomy_person:add"), {"name": "John Smith", "role": "Spokesperson"}
    )
    assert response.status_code == 302
    person = Person.objects.get(name="John Smith")
    assert (person.role, person.locale) == ("Spokesperson", locales.en)


@pytest.mark.django_db
def test_two_topics_with_the_same_slug_in_one_locale_are_refused(editor_client, locales):
    make_topic(locales.en, name="Defence", slug="defence")
    response = editor_client.post(reverse("wagtailsnippets_taxonomy_topic:add"), {"name": "Defense", "slug": "defence"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"slug": ["There is already a topic with this slug in this language."]}
    assert Topic.objects.filter(slug="defence").count() == 1


@pytest.mark.django_db
def test_the_same_topic_slug_is_fine_in_another_locale(editor_client, locales):
    make_topic(locales.en, name="Defence", slug="defence")
    response = editor_client.post(
        reverse("wagtailsnippets_taxonomy_topic:add", query={"locale": "fr"}), {"name": "Défense", "slug": "defence"}
    )
    assert response.status_code == 302
    assert Topic.objects.get(locale=locales.fr).name == "Défense"


@pytest.mark.django_db
def test_video_snippet_list_edit_and_chooser_views_render(editor_client, make_video):
    video = make_video(title="Ministers arrive")

    listing = editor_client.get(reverse("wagtailsnippets_videos_video:list"))
    assert listing.status_code == 200
    listing_text = html_text(listing)
    assert "Ministers arrive" in listing_text
    assert video.duration_display in listing_text
    assert video.resolution in listing_text

    edit = editor_client.get(reverse("wagtailsnippets_videos_video:edit", args=[video.pk]))
    assert edit.status_code == 200
    assert set(edit.context["form"].fields) == {"title", "file", "poster"}
    assert edit.context["form"]["title"].value() == "Ministers arrive"

    chooser = editor_client.get(reverse("wagtailsnippetchoosers_videos_video:choose"))
    assert chooser.status_code == 200
    assert "Ministers arrive" in chooser.json()["html"]


# --------------------------------------------------------------------------- #
# The admin in French
# --------------------------------------------------------------------------- #


@pytest.fixture
def french_editor_client(editor_client, editor):
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "fr"
    profile.save()
    return editor_client


def field_label(response, field_name):
    label = BeautifulSoup(response.content, "html.parser").find("label", attrs={"for": f"id_{field_name}"})
    assert label is not None, field_name
    return label.get_text(" ", strip=True).rstrip("*").strip()


@pytest.mark.django_db
def test_admin_renders_in_french_for_a_french_speaking_editor(french_editor_client, pages):
    response = french_editor_client.get(edit_url(pages[NewsArticlePage]))

    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr"' in response.content.decode()
    # Wagtail's own strings come from its French catalogue.
    assert field_label(response, "title") == "Titre"
    assert "Publier" in html_text(response)


@pytest.mark.django_db
def test_our_own_labels_are_translated_in_the_french_admin(french_editor_client, pages):
    response = french_editor_client.get(edit_url(pages[NewsArticlePage]))

    assert response.status_code == 200
    assert field_label(response, "title") == "Titre"  # the French admin is really on
    untranslated = [
        english
        for field_name, english in [
            ("standfirst", "Standfirst"),
            ("dateline", "Dateline"),
            ("published_at", "Publication date and time"),
            ("lead_image", "Lead image"),
        ]
        if field_label(response, field_name) == english
    ]
    assert untranslated == []
