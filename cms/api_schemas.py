"""Schemas shared by every content type: links, images, people, topics, documents, errors."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class PageLink(Schema):
    """Another page, as a front end links to it."""

    id: int
    title: str
    locale: str = Field(description="Language code of that page.")
    url: str | None = Field(description="Its path on the front end, `/{language}/...`; null if in no site.")


class Rendition(Schema):
    url: str
    webp_url: str
    width: int
    height: int


class FocalPoint(Schema):
    x: int
    y: int
    width: int
    height: int


class Image(Schema):
    """An image with ready-made renditions (named sizes, original format and WebP)."""

    id: int
    title: str
    alt: str = Field(description="Alternative text for screen readers.")
    width: int
    height: int
    focal_point: FocalPoint | None
    renditions: dict[str, Rendition] = Field(
        description="Named sizes: thumbnail (cropped around the focal point), small, medium, large."
    )
    srcset: str = Field(description="`srcset` of the uncropped sizes in the original format.")
    srcset_webp: str = Field(description="`srcset` of the uncropped sizes in WebP.")


class Person(Schema):
    id: int
    name: str
    role: str = Field(description="Title or role, in the item's language.")


class LinkedPerson(Person):
    part: str = Field(description="mentioned, interviewee, interviewer or featured.")


class Topic(Schema):
    id: int
    name: str
    slug: str


class Document(Schema):
    id: int
    title: str
    url: str


class Seo(Schema):
    title: str = Field(description="Title for search engines and social cards; falls back to the page title.")
    description: str


class PageItemBase(Schema):
    """What every item of every page type carries."""

    id: int
    type: str
    locale: str = Field(description="Language of this item (the one served, see is_fallback).")
    is_fallback: bool = Field(
        False, description="True when the requested locale has no live translation and this is the fallback."
    )
    slug: str
    title: str
    url: str | None = Field(description="Path on its front end: `/{language}/{path}`.")
    site: str | None = Field(description="Host name of the site (front end) the item belongs to.")
    translations: list[PageLink] = Field(description="Every other live language version.")
    first_published_at: datetime | None
    last_published_at: datetime | None
    seo: Seo
