"""Wagtail admin: media accounts (never editors) and newsletter subscriptions, filterable and exportable as CSV."""

import django_filters
from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from .models import NewsletterSubscription, User


def media_accounts_queryset():
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    subscribed = NewsletterSubscription.objects.filter(user=OuterRef("pk"), unsubscribed_at__isnull=True)
    return User.objects.media_accounts().annotate(is_verified=Exists(verified), newsletter=Exists(subscribed))


class MediaAccountFilterSet(WagtailFilterSet):
    is_verified = django_filters.BooleanFilter(label=_("E-mail verified"))
    newsletter = django_filters.BooleanFilter(label=_("Newsletter"))
    language = django_filters.CharFilter(label=_("Language"))
    country = django_filters.CharFilter(label=_("Country"), lookup_expr="iexact")
    organisation = django_filters.CharFilter(label=_("Organisation"), lookup_expr="icontains")
    terms_version = django_filters.CharFilter(label=_("Terms version"))

    class Meta:
        model = User
        fields = ["is_verified", "newsletter", "language", "country", "organisation", "terms_version", "is_active"]


class MediaAccountIndexView(IndexView):
    def get_base_queryset(self):
        # Editors are staff and live under Settings > Users; never listed here.
        return media_accounts_queryset()


class MediaAccountViewSet(ModelViewSet):
    model = User
    name = "media_accounts"
    url_prefix = "media-accounts"
    icon = "user"
    menu_label = _("Media accounts")
    index_view_class = MediaAccountIndexView
    filterset_class = MediaAccountFilterSet
    copy_view_enabled = False
    inspect_view_enabled = True
    search_fields = ["email", "first_name", "last_name", "organisation"]
    search_backend_name = None
    ordering = ["-date_joined"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "country",
        "language",
        BooleanColumn("is_verified", label=_("Verified")),
        "terms_version",
        BooleanColumn("newsletter", label=_("Newsletter")),
        DateColumn("date_joined", label=_("Joined")),
    ]
    list_export = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "country",
        "language",
        "is_verified",
        "terms_version",
        "terms_accepted_at",
        "newsletter",
        "is_active",
        "date_joined",
    ]
    export_headings = {"is_verified": _("E-mail verified"), "newsletter": _("Newsletter")}
    export_filename = "media-accounts"
    form_fields = ["first_name", "last_name", "organisation", "country", "language", "is_active"]
    inspect_view_fields = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "country",
        "language",
        "terms_version",
        "terms_accepted_at",
        "is_active",
        "date_joined",
        "last_login",
    ]


class NewsletterSubscriptionFilterSet(WagtailFilterSet):
    subscribed = django_filters.BooleanFilter(label=_("Subscribed"), field_name="unsubscribed_at", lookup_expr="isnull")

    class Meta:
        model = NewsletterSubscription
        fields = ["subscribed", "language", "source"]


class NewsletterSubscriptionViewSet(ModelViewSet):
    model = NewsletterSubscription
    name = "newsletter_subscriptions"
    url_prefix = "newsletter-subscriptions"
    icon = "mail"
    menu_label = _("Newsletter")
    filterset_class = NewsletterSubscriptionFilterSet
    copy_view_enabled = False
    search_fields = ["email"]
    search_backend_name = None
    list_display = [
        "email",
        "language",
        "source",
        DateColumn("consented_at", label=_("Consent given on")),
        DateColumn("unsubscribed_at", label=_("Unsubscribed on")),
    ]
    list_export = ["email", "language", "source", "consented_at", "unsubscribed_at"]
    export_filename = "newsletter-subscriptions"
    form_fields = ["language", "unsubscribed_at"]


class MediaAccountsGroup(ViewSetGroup):
    menu_label = _("Media accounts")
    menu_icon = "group"
    items = (MediaAccountViewSet, NewsletterSubscriptionViewSet)


@hooks.register("register_admin_viewset")
def register_media_accounts():
    return MediaAccountsGroup()
