"""Small builders shared by the content-model, admin and translation tests.

Fixtures stay in `tests/conftest.py`; these are plain functions so a test
says exactly what it builds.
"""

import io
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from news.models import NewsArticlePage
from taxonomy.models import PagePerson, PageTopic, Person, Topic

PASSWORD = "correct horse battery staple"
# Media accounts (sign-up, log-in, downloads): a password the portal's policy accepts.
MEMBER_PASSWORD = "Gr8-Broadcast!Day"


def make_superuser(django_user_model, email="editor@example.org"):
    return django_user_model.objects.create_superuser(email=email, password=PASSWORD)


def make_image(title="Lead image", colour=(200, 30, 30)):
    """A tiny real PNG stored as a Wagtail image."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (16, 12), colour).save(buffer, "PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="lead.png"))


def make_document(text: str, name="captions.vtt", title="Captions"):
    """A Wagtail document holding `text` (UTF-8), e.g. a WebVTT caption file."""
    return get_document_model().objects.create(title=title, file=ContentFile(text.encode(), name=name))


def make_person(locale, name="Jane Doe", role="Secretary General"):
    return Person.objects.create(name=name, role=role, locale=locale)


def make_topic(locale, name="Defence capabilities", slug="defence-capabilities"):
    return Topic.objects.create(name=name, slug=slug, locale=locale)


def make_article(news_index, *, topic=None, person=None, lead_image=None, publish=True, **fields):
    """A news article under `news_index` with a paragraph, a heading and a quote, linked to a topic and a person."""
    fields.setdefault("title", "Allies open the summit")
    fields.setdefault("slug", "allies-open-the-summit")
    fields.setdefault("standfirst", "Leaders meet in Brussels.")
    fields.setdefault(
        "body",
        [
            ("paragraph", "<p>The summit opened on Monday.</p>"),
            ("heading", {"text": "What is at stake", "level": "h2"}),
            ("quote", {"quote": "We stand together.", "attribution": "Jane Doe"}),
        ],
    )
    article = NewsArticlePage(lead_image=lead_image, **fields)
    if topic is not None:
        article.topic_links = [PageTopic(topic=topic)]
    if person is not None:
        article.person_links = [PagePerson(person=person, role=PagePerson.Role.MENTIONED)]
    news_index.add_child(instance=article)
    revision = article.save_revision()
    if publish:
        revision.publish()
    article.refresh_from_db()
    return article


def form_put(client, url, data):
    """PUT form-encoded data, as the translation editor's JavaScript does."""
    return client.put(url, urlencode(data), content_type="application/x-www-form-urlencoded")
