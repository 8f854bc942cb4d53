"""What every page type of the portal shares: previews on the front ends, not in Wagtail."""

from django.conf import settings
from modelcluster.models import get_all_child_relations
from wagtail_headless_preview.models import HeadlessPreviewMixin


class HeadlessPageMixin(HeadlessPreviewMixin):
    """Pages are rendered by the front ends; editors preview them there.

    One preview mode per front end of the page's site (the registry in
    `cms.models.FrontEnd`, those with a preview URL). Pressing Preview stores
    the unsaved page with wagtail-headless-preview and opens the front end's
    preview URL with `?content_type=…&token=…`; the front end fetches the
    draft from `/api/v1/preview/` with a key that has the preview scope.
    """

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:  # a partial save (publishing's flags) writes no child rows
            self._number_unordered_children()
        return super().save(*args, **kwargs)

    def _number_unordered_children(self):
        """Give child rows built in code (imports, the demo loader, tests) the sort order of their list.

        The admin's formsets number them; `page.shots = [...]` leaves `sort_order`
        empty, and rows without one come back from the database in no fixed order,
        which would shuffle shot numbers (and clip choices) between languages.
        """
        for relation in get_all_child_relations(self):
            if not hasattr(relation.related_model, "sort_order_field"):
                continue
            manager = getattr(self, relation.get_accessor_name())
            children = list(manager.all())
            if any(child.sort_order is None for child in children):
                for number, child in enumerate(children):
                    child.sort_order = number
                setattr(self, relation.get_accessor_name(), children)

    def _preview_front_ends(self):
        from .models import FrontEnd

        try:
            # An unsaved page (preview on create) is not in the tree yet: use its parent's site.
            site = self.get_site() if self.pk else self.get_parent().get_site()
        except (AttributeError, TypeError, ValueError):
            site = None
        front_ends = FrontEnd.objects.filter(is_active=True).exclude(preview_url="")
        return list(front_ends.filter(site=site) if site else front_ends.none())

    @property
    def preview_modes(self):
        return [(f"front-end-{front_end.pk}", front_end.name) for front_end in self._preview_front_ends()]

    @property
    def default_preview_mode(self):
        modes = self.preview_modes
        return modes[0][0] if modes else ""

    def serve_preview(self, request, mode_name):
        self._preview_mode = mode_name
        return super().serve_preview(request, mode_name)

    def get_client_root_url(self, request) -> str:
        mode = getattr(self, "_preview_mode", "")
        for front_end in self._preview_front_ends():
            if mode == f"front-end-{front_end.pk}":
                return front_end.preview_url
        return getattr(settings, "CMS_DEFAULT_PREVIEW_URL", "about:blank")
