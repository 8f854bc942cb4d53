"""A Q&A interview as typed blocks: who asks, who answers, and editorial notes."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

INTERVIEW_TEXT_FEATURES = ["bold", "italic", "link", "document-link"]


class QuestionBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(label=_("question"), features=INTERVIEW_TEXT_FEATURES)
    asker = blocks.CharBlock(
        label=_("asked by"),
        required=False,
        max_length=255,
        help_text=_("Leave empty when the interviewer asks."),
    )
    outlet = blocks.CharBlock(label=_("media outlet"), required=False, max_length=255)

    class Meta:
        icon = "help"
        label = _("Question")


class AnswerBlock(blocks.StructBlock):
    speaker = SnippetChooserBlock("taxonomy.Person", label=_("speaker"))
    text = blocks.RichTextBlock(label=_("answer"), features=INTERVIEW_TEXT_FEATURES)

    class Meta:
        icon = "openquote"
        label = _("Answer")


class NoteBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(label=_("note"), features=INTERVIEW_TEXT_FEATURES)

    class Meta:
        icon = "info-circle"
        label = _("Editorial note")


class InterviewBodyBlock(blocks.StreamBlock):
    question = QuestionBlock()
    answer = AnswerBlock()
    note = NoteBlock()
