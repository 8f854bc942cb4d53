"""Images for the API: the named sizes, their renditions loaded in one query per response, the image as JSON.

`ImageRendering` is the part of `RenderContext` (cms.api_render) that
loads and renders images; it reads the context's `image_ids`, `absolute()`
and `request`.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from wagtail.images import get_image_model
from wagtail.images.models import Filter, SourceImageIOError

from .caching import depends_on
from .sql_lookups import sql_columns, sql_placeholders, sql_rows, sql_table

logger = logging.getLogger("cms.api")

# Named image sizes every image is offered in, each in its original format and
# in WebP. `fill-…-c100` crops around the focal point editors set.
DEFAULT_RENDITIONS = {
    "thumbnail": "fill-480x270-c100",
    "small": "width-640",
    "medium": "width-1280",
    "large": "width-1920",
}


def rendition_specs() -> dict[str, str]:
    return getattr(settings, "CMS_API_RENDITIONS", DEFAULT_RENDITIONS)


@functools.lru_cache(maxsize=16384)
def _local_file_url(storage, base_url: str, name: str) -> str:
    return storage.url(name)


def _file_urls(storage) -> Callable[[str], str]:
    """`storage.url`, remembered for files on this server's disk, whose URL depends on the name alone.

    Parsing and quoting every rendition's URL is a tenth of a listing; other
    storages (S3 and the like) may sign or expire theirs, so they are asked each time.
    """
    if isinstance(storage, FileSystemStorage):
        return functools.partial(_local_file_url, storage, storage.base_url)
    return storage.url


@functools.cache
def _rendition_filters(specs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Filter, Filter], ...]:
    """(name, original, WebP) for each named size: filters parsed once per process, not per image."""
    return tuple((name, Filter(spec), Filter(f"{spec}|format-webp")) for name, spec in specs)


@dataclass(frozen=True)
class RenditionRef:
    """What the API shows of a rendition, read from its row: no model instance (and its signals) per rendition."""

    url: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageRef:
    """What the API shows of an image, read with its renditions: no model instance (and its signals) per image.

    It has what Wagtail's filters read for crops (the focal point); making a
    missing rendition takes the image itself (`ImageRendering._rendition`).
    """

    pk: int
    title: str
    description: str
    width: int
    height: int
    focal_point_x: int | None
    focal_point_y: int | None
    focal_point_width: int | None
    focal_point_height: int | None

    @property
    def default_alt_text(self) -> str:
        return self.description or self.title  # as Wagtail's AbstractImage

    def has_focal_point(self) -> bool:
        return self.focal_point_x is not None


@functools.lru_cache(maxsize=1024)
def _images_sql(Image, images: int, specs: int) -> str:
    """These images' renditions of these specs, each with the `ImageRef` fields of its image ('' if not a field)."""
    Rendition = Image.get_rendition_model()
    columns = sql_columns(Rendition, "filter_spec", "focal_point_key", "file", "width", "height", qualified=True)
    names = {field.name for field in Image._meta.get_fields()}
    for name in ("id" if name == "pk" else name for name in ImageRef.__dataclass_fields__):
        columns += sql_columns(Image, name, qualified=True) if name in names else ["''"]
    image_id, spec = sql_columns(Rendition, "image", "filter_spec", qualified=True)
    (pk,) = sql_columns(Image, "id", qualified=True)
    return (
        f"SELECT {', '.join(columns)} FROM {sql_table(Rendition)} JOIN {sql_table(Image)} ON {pk} = {image_id} "  # noqa: S608
        f"WHERE {image_id} IN ({sql_placeholders(images)}) AND {spec} IN ({sql_placeholders(specs)})"
    )


class ImageRendering:
    """The images of one response: loaded with their renditions, rendered once each."""

    def _init_images(self):
        self.images = {}
        # image id -> {(filter spec, focal point key): rendition}, as loaded with the images
        self.renditions: dict[int, dict[tuple[str, str], RenditionRef]] = {}
        self._image_dicts: dict[int, dict] = {}

    def _load_images(self):
        if not self.image_ids:
            return
        depends_on(*(f"image:{pk}" for pk in self.image_ids))
        specs = set()
        for spec in rendition_specs().values():
            specs.update((spec, f"{spec}|format-webp"))
        # The images with their renditions in one query, the renditions indexed
        # by what tells them apart (the spec, and the focal point for crops);
        # `image()` makes the missing ones.
        Image = get_image_model()
        Rendition = Image.get_rendition_model()
        url = _file_urls(Rendition._meta.get_field("file").storage)
        sql = _images_sql(Image, len(self.image_ids), len(specs))
        for spec, focal_point_key, file, width, height, image_id, *image in sql_rows(sql, [*self.image_ids, *specs]):
            if image_id not in self.images:
                self.images[image_id] = ImageRef(image_id, *image)
            self.renditions.setdefault(image_id, {})[(spec, focal_point_key)] = RenditionRef(url(file), width, height)
        missing = self.image_ids - set(self.images)
        if missing:  # images shown for the first time have no renditions yet
            self.images.update({image.pk: image for image in Image.objects.filter(id__in=missing)})

    def image(self, image_id: int | None) -> dict | None:
        image = self.images.get(image_id) if image_id else None
        if image is None:
            return None
        if image.pk not in self._image_dicts:
            try:
                self._image_dicts[image.pk] = self._render_image(image)
            except SourceImageIOError:
                # The original file is gone (deleted from the media, a storage out of step), so a
                # rendition not made yet cannot be: the image is shown as absent (every image field
                # is nullable) rather than failing the whole answer with a 500. Saving the image
                # again with its file drops the cached answers that showed it absent.
                logger.warning("Image %s: its file is missing, shown as no image", image.pk, exc_info=True)
                self._image_dicts[image.pk] = None
        return self._image_dicts[image.pk]

    def _rendition(self, image, filter: Filter):
        """The rendition of `image` for `filter`: the one loaded with it, else Wagtail's (made and stored once)."""
        loaded = self.renditions.get(image.pk, {}).get((filter.spec, filter.get_cache_key(image)))
        if loaded is not None:
            return loaded
        if isinstance(image, ImageRef):
            image = self.images[image.pk] = get_image_model().objects.get(pk=image.pk)
        return image.get_rendition(filter)

    def _render_image(self, image) -> dict:
        renditions = {}
        srcset, srcset_webp = [], []
        for name, original_filter, webp_filter in _rendition_filters(tuple(rendition_specs().items())):
            original = self._rendition(image, original_filter)
            webp = self._rendition(image, webp_filter)
            renditions[name] = {
                "url": self.absolute(original.url),
                "webp_url": self.absolute(webp.url),
                "width": original.width,
                "height": original.height,
            }
            if not original_filter.spec.startswith("fill-"):
                srcset.append(f"{renditions[name]['url']} {original.width}w")
                srcset_webp.append(f"{renditions[name]['webp_url']} {webp.width}w")
        focal = None
        if image.has_focal_point():
            focal = {
                "x": image.focal_point_x,
                "y": image.focal_point_y,
                "width": image.focal_point_width,
                "height": image.focal_point_height,
            }
        return {
            "id": image.pk,
            "title": image.title,
            "alt": getattr(image, "description", "") or image.default_alt_text or "",
            "width": image.width,
            "height": image.height,
            "focal_point": focal,
            "renditions": renditions,
            "srcset": ", ".join(srcset),
            "srcset_webp": ", ".join(srcset_webp),
        }
