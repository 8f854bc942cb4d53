"""What every page type of the portal shares."""


class HeadlessPageMixin:
    """Pages are rendered by the front ends, not by Wagtail's templates.

    Wagtail's own preview would render a template that does not exist, so it
    is switched off until front-end previews (wagtail-headless-preview) take
    its place.
    """

    preview_modes = []
