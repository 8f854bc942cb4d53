from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib import admin

        from . import checks, signal_handlers  # noqa: F401  (registers the checks and signal handlers)
        from .forms import RateLimitedDjangoAdminLoginForm

        # The Django admin log-in is rate-limited like Wagtail's (WAGTAILADMIN_USER_LOGIN_FORM).
        admin.site.login_form = RateLimitedDjangoAdminLoginForm
