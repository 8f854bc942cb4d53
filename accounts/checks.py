"""System checks for the account settings that security depends on."""

from django.conf import settings
from django.core.checks import Error, register


@register("security")
def check_sessions_are_server_side(app_configs, **kwargs):
    """Verification and reset codes live in the session: a signed-cookie session would hand them to the client."""
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies":
        return [
            Error(
                "SESSION_ENGINE stores sessions in signed cookies, which would send e-mail codes to the client.",
                hint="Use the database, cache or cached_db session engine.",
                id="accounts.E001",
            )
        ]
    return []
