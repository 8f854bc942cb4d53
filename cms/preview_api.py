"""`/api/v1/preview/`: an editor's unsaved page, in exactly the live schema, for front ends with the preview scope."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.errors import HttpError
from pydantic import Field
from wagtail_headless_preview.models import PagePreview

from .api_access import PREVIEW_ACCESS
from .api_contract import MAX_NAME_LENGTH, MAX_TOKEN_LENGTH
from .api_parameters import FieldList
from .apikit import StrictRouter
from .content_types import page_types
from .page_rendering import PageItem, as_json, page_item_adapter, render_pages, selected_fields
from .pages import HeadlessPageMixin

router = StrictRouter(tags=["preview"])


class PreviewQuery(Schema):
    content_type: str = Field(
        max_length=MAX_NAME_LENGTH, description="As sent to the front end's preview URL, e.g. `news.newsarticlepage`."
    )
    token: str = Field(
        max_length=MAX_TOKEN_LENGTH, description="The preview token sent to the front end's preview URL."
    )
    fields: FieldList = Field("*", description="As in `/pages/{id}/`.")


def token_max_age() -> int:
    return getattr(settings, "CMS_PREVIEW_TOKEN_MAX_AGE", 3600)


def load_preview(content_type: str, token: str):
    app_label, _dot, model_name = content_type.partition(".")
    try:
        page_content_type = ContentType.objects.get_by_natural_key(app_label, model_name.lower())
    except ContentType.DoesNotExist as error:
        raise Http404(_("Unknown content type.")) from error
    model = page_content_type.model_class()
    if model is None or not issubclass(model, HeadlessPageMixin) or page_types.for_model(model) is None:
        raise Http404(_("Unknown content type."))
    try:
        # The token is signed with a timestamp: its age is checked here, to the second.
        model.get_preview_signer().unsign(token, max_age=token_max_age())
    except signing.SignatureExpired as error:
        raise HttpError(403, _("This preview has expired; press Preview again in the admin.")) from error
    except signing.BadSignature as error:
        raise HttpError(403, _("This preview token is not valid.")) from error
    preview = PagePreview.objects.filter(content_type=page_content_type, token=token).first()
    if preview is None:
        raise Http404(_("This preview no longer exists; press Preview again in the admin."))
    page = preview.as_page()
    if page.pk is None:
        page.pk = page.id = 0  # a page previewed before its first save has no id yet
    return page


@router.get(
    "/preview/",
    response=PageItem,
    exclude_unset=True,
    auth=PREVIEW_ACCESS,
    summary="The draft an editor is previewing",
    description="Needs an API key with the `preview` scope. Tokens expire (one hour by default).",
)
def get_preview(request, query: Query[PreviewQuery]):
    from django.http import HttpResponse

    page = load_preview(query.content_type, query.token)
    page_type = page_types.for_model(type(page))
    item = render_pages(request, [page], selected_fields(query.fields, [page_type]), preview=True)[0]
    response = HttpResponse(as_json(page_item_adapter, item), content_type="application/json")
    # A draft must never be stored by a browser, a CDN or our own cache.
    response["Cache-Control"] = "private, no-store"
    return response
