"""One stream of "content changed" events for everything that must react to editors' work.

Wagtail and Django send many signals, some twice for one action (a publish
saves the page, then sends `page_published`); listeners here receive one
`ContentChange` per editorial action, after the transaction commits, so
nothing reacts to work that was rolled back. Listeners: the API response
cache, the CDN purge and the front ends' webhooks.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from .routing import HomeDirectory

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContentChange:
    """What changed, in the terms a front end or a cache understands."""

    event: str  # "page.published", "page.unpublished", "page.deleted", "page.moved", "person.changed", ...
    model: str  # "news.NewsArticlePage", "taxonomy.Person", "wagtailimages.Image"
    ids: tuple[int, ...]
    translation_keys: tuple[str, ...] = ()
    locale: str | None = None
    site_ids: tuple[int, ...] = ()
    # Front-end paths whose content changed: the page and the listings showing it (its parent).
    paths: tuple[str, ...] = ()
    page_types: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)


_listeners: list[Callable[[ContentChange], None]] = []


def listen(listener: Callable[[ContentChange], None]) -> Callable[[ContentChange], None]:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def emit(change: ContentChange) -> None:
    """Deliver `change` to every listener once the current transaction commits."""

    def deliver():
        for listener in list(_listeners):
            try:
                listener(change)
            except Exception:  # one failing listener must not starve the others
                logger.exception("Content change listener %r failed for %s", listener, change.event)

    transaction.on_commit(deliver, robust=False)


def page_change(event: str, page, *, old_url_path: str | None = None) -> ContentChange:
    homes = HomeDirectory.load()
    paths = []
    for url_path in filter(None, (old_url_path, page.url_path)):
        path = homes.path_of(url_path)
        if path:
            paths.append(path)
            parent_path = path.rstrip("/").rsplit("/", 1)[0] + "/"
            if parent_path != path and parent_path.count("/") >= 2:
                paths.append(parent_path)
    home = homes.home_of(page.url_path) or (homes.home_of(old_url_path) if old_url_path else None)
    specific_class = page.specific_class or type(page)
    return ContentChange(
        event=event,
        model=specific_class._meta.label,
        ids=(page.pk,),
        translation_keys=(str(page.translation_key),),
        locale=home.language if home else None,
        site_ids=(home.site_id,) if home else (),
        paths=tuple(dict.fromkeys(paths)),
        page_types=(specific_class._meta.label,),
    )


def _on_published(sender, instance, **kwargs):
    _forget_homes_if_home(instance)
    emit(page_change("page.published", instance))


def _on_unpublished(sender, instance, **kwargs):
    _forget_homes_if_home(instance)
    emit(page_change("page.unpublished", instance))


def _on_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    HomeDirectory.forget()
    emit(page_change("page.moved", instance, old_url_path=url_path_before))


def _on_page_deleted(sender, instance, **kwargs):
    # Connected to the base Page class only: deleting a page of any type (or a
    # whole subtree) deletes one base row per page, so each page is reported once.
    _forget_homes_if_home(instance)
    emit(page_change("page.deleted", instance))


def _forget_homes_if_home(page) -> None:
    if page.depth is not None and page.depth <= 2:
        HomeDirectory.forget()


def _on_snippet_or_image_saved(sender, instance, created=False, **kwargs):
    event = f"{sender._meta.model_name}.{'created' if created else 'changed'}"
    emit(_object_change(event, sender, instance))


def _on_snippet_or_image_deleted(sender, instance, **kwargs):
    emit(_object_change(f"{sender._meta.model_name}.deleted", sender, instance))


def _object_change(event, sender, instance) -> ContentChange:
    translation_key = getattr(instance, "translation_key", None)
    locale_id = getattr(instance, "locale_id", None)
    return ContentChange(
        event=event,
        model=sender._meta.label,
        ids=(instance.pk,),
        translation_keys=(str(translation_key),) if translation_key else (),
        locale=HomeDirectory.load().languages.get(locale_id) if locale_id else None,
    )


def _on_site_changed(sender, instance, **kwargs):
    HomeDirectory.forget()


def _on_restriction_changed(sender, instance, **kwargs):
    # Making a section private (or public again) changes what the API may show.
    HomeDirectory.forget()
    emit(page_change("page.restriction_changed", instance.page))


def connect() -> None:
    from wagtail.images import get_image_model
    from wagtail.models import Locale, Page, PageViewRestriction, Site

    page_published.connect(_on_published, dispatch_uid="cms_content_published")
    page_unpublished.connect(_on_unpublished, dispatch_uid="cms_content_unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="cms_content_moved")
    post_delete.connect(_on_page_deleted, sender=Page, dispatch_uid="cms_content_page_deleted")
    watch_snippets(get_image_model())
    for model in (Site, Locale):
        post_save.connect(_on_site_changed, sender=model, dispatch_uid=f"cms_routing_saved_{model._meta.label}")
        post_delete.connect(_on_site_changed, sender=model, dispatch_uid=f"cms_routing_deleted_{model._meta.label}")
    post_save.connect(_on_restriction_changed, sender=PageViewRestriction, dispatch_uid="cms_restriction_saved")
    post_delete.connect(_on_restriction_changed, sender=PageViewRestriction, dispatch_uid="cms_restriction_deleted")


def watch_snippets(*models) -> None:
    """Emit a change whenever one of these models (snippets pages show, images) is saved or deleted.

    Apps call it from their `ready()` for the snippets they own (taxonomy's
    people and topics), so this kit does not import them.
    """
    for model in models:
        post_save.connect(
            _on_snippet_or_image_saved, sender=model, dispatch_uid=f"cms_content_saved_{model._meta.label}"
        )
        post_delete.connect(
            _on_snippet_or_image_deleted, sender=model, dispatch_uid=f"cms_content_deleted_{model._meta.label}"
        )
