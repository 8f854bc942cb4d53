"""A small bilingual portal for API tests: two sites, every page type, translations, links and images."""

import datetime
import io
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from home.models import HomePage, HomePageFeaturedItem
from interviews.models import InterviewIndexPage, InterviewPage
from news.models import NewsArticlePage, NewsIndexPage
from taxonomy.models import PagePerson, PageTopic, Person, RelatedPage, Topic
from videos.models import VideoIndexPage, VideoPage, VideoShot


def make_image(title="Ministers", size=(1600, 900)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (20, 60, 120)).save(buffer, "JPEG")
    image = get_image_model().objects.create(
        title=title, description=f"{title} (alt text)", file=ImageFile(buffer, name="photo.jpg")
    )
    image.set_focal_point(None)
    return image


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate(page, locale, **fields):
    """A published translation of `page` in `locale` (its parent must be translated first)."""
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save()
    return publish(translation)


def build_portal(locales, make_video):
    en, fr = locales.en, locales.fr
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Media portal", slug="portal", locale=en, intro="Welcome"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Portal"}
    )
    news = home.add_child(instance=NewsIndexPage(title="News", slug="news"))
    interviews = home.add_child(instance=InterviewIndexPage(title="Interviews", slug="interviews"))
    videos = home.add_child(instance=VideoIndexPage(title="Videos", slug="videos"))
    for page in (home, news, interviews, videos):
        publish(page)
    home_fr = translate(home, fr, slug="portail", title="Portail média", intro="Bienvenue")
    news_fr = translate(news, fr, slug="actualites", title="Actualités")
    interviews_fr = translate(interviews, fr, slug="entretiens", title="Entretiens")
    videos_fr = translate(videos, fr, slug="videos", title="Vidéos")

    defence = Topic.objects.create(name="Defence", slug="defence", locale=en)
    defence_fr = defence.copy_for_translation(fr)
    defence_fr.name, defence_fr.slug = "Défense", "defense"
    defence_fr.save()
    budget = Topic.objects.create(name="Budget", slug="budget", locale=en)
    rasmussen = Person.objects.create(name="Anders Fogh Rasmussen", role="NATO Secretary General", locale=en)
    rasmussen_fr = rasmussen.copy_for_translation(fr)
    rasmussen_fr.role = "Secrétaire général de l'OTAN"
    rasmussen_fr.save()
    racine = Person.objects.create(name="Bruno Racine", role="Expert", locale=en)

    image = make_image()
    document = get_document_model().objects.create(
        title="Communiqué", file=ContentFile(b"%PDF-1.4 test", name="communique.pdf")
    )

    def article(index, parent, slug, days_ago, **extra):
        page = NewsArticlePage(
            title=f"Article {index}",
            slug=slug,
            published_at=timezone.now() - datetime.timedelta(days=days_ago),
            dateline="Brussels",
            standfirst=f"Standfirst {index}",
            lead_image=image,
            **extra,
        )
        page.topic_links = [PageTopic(topic=defence)]
        page.person_links = [PagePerson(person=rasmussen, role=PagePerson.Role.MENTIONED)]
        parent.add_child(instance=page)
        return publish(page)

    old = article(1, news, "old-news", days_ago=400)
    middle = article(2, news, "middle-news", days_ago=30)
    newest = article(
        3,
        news,
        "newest-news",
        days_ago=1,
        body=[
            (
                "paragraph",
                f'<p>See <a linktype="page" id="{old.pk}">the old news</a>, '
                f'<a linktype="page" id="{middle.pk}">the middle one</a> and '
                f'<a linktype="document" id="{document.pk}">the communiqué</a>.</p>',
            ),
            ("heading", {"text": "Context", "level": "h2"}),
            ("image", {"image": image, "caption": "Ministers", "credit": "NATO"}),
            ("quote", {"quote": "Spend smarter.", "attribution": "Rasmussen"}),
            ("related_links", {"heading": "More", "links": [{"title": "", "page": old, "url": ""}]}),
        ],
    )
    newest.related_links = [RelatedPage(target=middle)]
    publish(newest)
    # The oldest article is translated to French; the newest too; the middle one is not.
    old_fr = translate(old, fr, title="Article 1 (fr)", slug="ancienne")
    newest_fr = translate(newest, fr, title="Article 3 (fr)", slug="nouvelle")
    # Wagtail's add_child makes pages live unless told otherwise.
    draft = NewsArticlePage(title="Draft", slug="draft", standfirst="secret", live=False)
    news.add_child(instance=draft)
    draft.save_revision()  # never published

    interview = InterviewPage(
        title="Interview",
        slug="interview",
        date=datetime.date(2009, 10, 15),
        place="Luxembourg",
        event="Seminar",
        standfirst="An expert speaks.",
        body=[
            ("question", {"text": "<p>What did you think?</p>", "asker": "", "outlet": ""}),
            ("answer", {"speaker": racine, "text": "<p>A very good start.</p>"}),
            ("note", {"text": "<p>Edited for length.</p>"}),
        ],
    )
    interview.person_links = [PagePerson(person=racine, role=PagePerson.Role.INTERVIEWEE)]
    interviews.add_child(instance=interview)
    publish(interview)

    video = make_video(title="Press conference", duration=4.0)
    video_page = VideoPage(
        title="Press conference",
        slug="press-conference",
        video=video,
        recorded_on=datetime.date(2012, 10, 9),
        summary="Rasmussen speaks.",
        transcript="Good morning.",
        credits="Camera: NATO TV",
        copyright="NATO",
        usage_restrictions="Editorial use only.",
    )
    video_page.shots = [
        VideoShot(in_point=0, out_point=1500, description="Wide shot", locale=en),
        VideoShot(in_point=1500, out_point=3900, description="Soundbite", speaker=rasmussen, locale=en),
    ]
    videos.add_child(instance=video_page)
    publish(video_page)
    video_page_fr = translate(video_page, fr, title="Conférence de presse", slug="conference-de-presse")

    home.featured_items = [HomePageFeaturedItem(target=newest)]
    publish(home)
    # Featured items are synchronized: the French home links the same (English) page.
    home_fr.featured_items = [HomePageFeaturedItem(target=newest)]
    publish(home_fr)

    other_home = root.add_child(instance=HomePage(title="Other", slug="other", locale=en))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home, site_name="Other")
    other_news = other_home.add_child(instance=NewsIndexPage(title="News", slug="news"))
    publish(other_home)
    publish(other_news)
    other_article = NewsArticlePage(
        title="Other site article",
        slug="elsewhere",
        body=[("paragraph", f'<p>Read <a linktype="page" id="{newest.pk}">our partner</a>.</p>')],
    )
    other_news.add_child(instance=other_article)
    publish(other_article)

    return SimpleNamespace(**locals())
