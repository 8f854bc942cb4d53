from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import FrontEnd


class FrontEndViewSet(SnippetViewSet):
    model = FrontEnd
    icon = "desktop"
    list_display = ["name", "site", "is_active"]
    add_to_settings_menu = True


register_snippet(FrontEndViewSet)


# --- Webhook deliveries: a read-only log editors can filter, inspect and retry ------------

import json  # noqa: E402

import django_filters  # noqa: E402
from django import forms  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.shortcuts import get_object_or_404, redirect  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils.html import format_html  # noqa: E402
from django.utils.text import Truncator  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402
from django.views.generic import FormView  # noqa: E402
from wagtail import hooks  # noqa: E402
from wagtail.admin.admin_url_finder import ModelAdminURLFinder  # noqa: E402
from wagtail.admin.filters import WagtailFilterSet  # noqa: E402
from wagtail.admin.ui.tables import Column, StatusTagColumn  # noqa: E402
from wagtail.admin.views import generic  # noqa: E402
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin  # noqa: E402
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin  # noqa: E402
from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402
from wagtail.admin.widgets.button import HeaderButton, MenuItem  # noqa: E402
from wagtail.permissions import policy_registry  # noqa: E402

from . import webhooks  # noqa: E402
from .models import WebhookDelivery  # noqa: E402


def _event_choices():
    events = WebhookDelivery.objects.order_by("event").values_list("event", flat=True).distinct()
    return [(event, event) for event in events]


class WebhookDeliveryFilterSet(WagtailFilterSet):
    event = django_filters.ChoiceFilter(label=_("Event"), choices=_event_choices)

    class Meta:
        model = WebhookDelivery
        fields = ["front_end", "status", "event"]


class WebhookDeliveryIndexView(generic.IndexView):
    retry_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("front_end")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status != WebhookDelivery.Status.DELIVERED and self.user_has_permission("retry"):
            url = reverse(self.retry_url_name, args=(instance.pk,))
            buttons.append(MenuItem(_("Retry now"), url=url, icon_name="resubmit", priority=30))
        return buttons


class WebhookDeliveryInspectView(generic.InspectView):
    retry_url_name = None

    def get_payload_display_value(self):
        return format_html("<pre>{}</pre>", json.dumps(self.object.payload, indent=2, ensure_ascii=False))

    @property
    def header_buttons(self):
        if self.object.status != WebhookDelivery.Status.DELIVERED and self.user_has_permission("retry"):
            url = reverse(self.retry_url_name, args=(self.object.pk,))
            return [HeaderButton(_("Retry now"), url=url, icon_name="resubmit")]
        return []


class RetryWebhookDeliveryView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Confirm, then send a pending or failed delivery again at once."""

    model = WebhookDelivery
    permission_required = "retry"
    template_name = "wagtailadmin/generic/form.html"
    form_class = forms.Form
    page_title = _("Retry webhook delivery")
    header_icon = "resubmit"
    inspect_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(WebhookDelivery, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action_url=self.request.path,
            submit_button_label=_("Retry now"),
            submit_button_active_label=_("Retrying…"),
            **kwargs,
        )

    def form_valid(self, form):
        if webhooks.retry(self.object):
            messages.success(self.request, _("The delivery is being sent again."))
        else:
            messages.error(
                self.request,
                _("Nothing to retry: the delivery was delivered, or an attempt is under way. Try again in a minute."),
            )
        return redirect(self.inspect_url_name, self.object.pk)


class WebhookDeliveryURLFinder(ModelAdminURLFinder):
    """Links to a delivery lead to its inspect view, the only page a delivery has."""

    edit_url_name = "webhook_deliveries:inspect"

    def get_edit_url(self, instance):
        if self.user and not policy_registry.get(instance).user_has_permission(self.user, "view"):
            return None
        return self.construct_edit_url(instance)


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "resubmit"
    menu_label = _("Webhook deliveries")
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    url_finder_class = WebhookDeliveryURLFinder
    index_view_class = WebhookDeliveryIndexView
    inspect_view_class = WebhookDeliveryInspectView
    filterset_class = WebhookDeliveryFilterSet
    search_fields = ["message_id", "event", "last_error"]
    list_display = [
        "event",
        "front_end",
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            # Styled like a live page's status, as Wagtail does for what reached the public.
            primary=lambda d: d.status == WebhookDelivery.Status.DELIVERED,
        ),
        "attempts",
        "last_status_code",
        Column("last_error", label=_("Last error"), accessor=lambda d: Truncator(d.last_error).chars(80)),
        "created_at",
        "next_attempt_at",
    ]
    inspect_view_fields = [
        "message_id",
        "front_end",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "payload",
    ]

    def get_common_view_kwargs(self, **kwargs):
        # The log is written by the system only: no add, edit, delete, history or usage views.
        read_only = dict.fromkeys(
            ["add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"]
        )
        return super().get_common_view_kwargs(**{**kwargs, **read_only})

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    def get_urlpatterns(self):
        retry_view = RetryWebhookDeliveryView.as_view(inspect_url_name=self.get_url_name("inspect"))
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("retry/<int:pk>/", retry_view, name="retry"),
        ]


@hooks.register("register_admin_viewset")
def register_webhook_delivery_viewset():
    return WebhookDeliveryViewSet("webhook_deliveries")


# --- API keys: the key is shown once, at creation; revocation is for good -----------------

from django import forms  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.cache import add_never_cache_headers  # noqa: E402
from django.utils.formats import date_format  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402
from wagtail.admin import messages as admin_messages  # noqa: E402
from wagtail.admin.forms import WagtailAdminModelForm  # noqa: E402
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList  # noqa: E402
from wagtail.snippets.models import register_snippet  # noqa: E402
from wagtail.snippets.views.snippets import CreateView as SnippetCreateView  # noqa: E402
from wagtail.snippets.views.snippets import SnippetViewSet  # noqa: E402

from .models import FrontEndAPIKey  # noqa: E402


class FrontEndAPIKeyForm(WagtailAdminModelForm):
    revoke = forms.BooleanField(
        label=_("Revoke this key"),
        required=False,
        help_text=_("Requests with this key are refused from the moment you save. This cannot be undone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["revoke"]  # a key being created has nothing to revoke yet
        elif self.instance.revoked_at is not None:
            # A key that may have leaked must not come back: disabled fields ignore what is posted.
            field = self.fields["revoke"]
            field.initial = True
            field.disabled = True
            field.help_text = _("Revoked on %(date)s. A revoked key cannot be restored: create a new one.") % {
                "date": date_format(timezone.localtime(self.instance.revoked_at), "DATETIME_FORMAT")
            }

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("revoke") and self.instance.revoked_at is None:
            self.instance.revoked_at = timezone.now()
        return cleaned_data


class FrontEndAPIKeyCreateView(SnippetCreateView):
    key_template_name = "cms/api_key_created.html"

    def save_instance(self):
        self.key = self.form.instance.generate()
        return super().save_instance()

    def get_success_json(self):
        return {**super().get_success_json(), "key": self.key}

    def save_action(self):
        if self.expects_json_response:
            return super().save_action()
        # The key is rendered in this very response rather than after a
        # redirect, so it is never stored, not even in a message cookie or
        # the session, and is gone once this page is left.
        admin_messages.success(self.request, self.get_success_message(self.object))
        response = TemplateResponse(
            self.request,
            self.key_template_name,
            {
                "page_title": _("New API key"),
                "header_icon": "key",
                "key": self.key,
                "index_url": self.get_success_url(),
                "edit_url": self.get_edit_url(),
            },
        )
        add_never_cache_headers(response)
        return response


class FrontEndAPIKeyViewSet(SnippetViewSet):
    model = FrontEndAPIKey
    icon = "key"
    menu_label = _("API keys")
    add_to_settings_menu = True
    add_view_class = FrontEndAPIKeyCreateView
    # A copy would be created without a secret of its own.
    copy_view_enabled = False
    list_display = ["__str__", "can_read", "can_preview", "rate_limit_per_minute", "last_used_at", "revoked_at"]
    list_filter = ["front_end"]
    edit_handler = ObjectList(
        [
            FieldPanel("front_end"),
            FieldPanel("name"),
            MultiFieldPanel([FieldPanel("can_read"), FieldPanel("can_preview")], heading=_("Scopes")),
            FieldPanel("rate_limit_per_minute"),
            FieldPanel("revoke"),
        ],
        base_form_class=FrontEndAPIKeyForm,
    )

    def get_queryset(self, request):
        return FrontEndAPIKey.objects.select_related("front_end")


register_snippet(FrontEndAPIKeyViewSet)
