"""The blocks of a news article's body."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "superscript", "subscript"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), max_length=255)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=500)
    credit = blocks.CharBlock(label=_("credit"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=255)

    class Meta:
        icon = "openquote"
        label = _("Quote")


class EmbeddedVideoBlock(blocks.StructBlock):
    video = blocks.PageChooserBlock(label=_("video page"), page_type="videos.VideoPage")
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=500)

    class Meta:
        icon = "media"
        label = _("Video")


class RelatedLinkBlock(blocks.StructBlock):
    """A link to a page of the portal or to an external URL: exactly one of them."""

    title = blocks.CharBlock(label=_("title"), required=False, max_length=255)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("external URL"), required=False)

    class Meta:
        icon = "link"
        label = _("Link")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choose either a page or an external URL."))}
            )
        if value.get("url") and not value.get("title"):
            raise blocks.StructBlockValidationError(
                block_errors={"title": ValidationError(_("An external link needs a title."))}
            )
        return value


class RelatedLinksBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=255)
    links = blocks.ListBlock(RelatedLinkBlock(), label=_("links"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Related links")


class NewsBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=RICH_TEXT_FEATURES, icon="pilcrow")
    heading = HeadingBlock()
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    video = EmbeddedVideoBlock()
    related_links = RelatedLinksBlock()
