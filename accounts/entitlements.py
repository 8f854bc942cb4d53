"""Whether a person may download videos, and why not: the public function other apps (videos) ask."""

from allauth.account.models import EmailAddress
from django.utils.translation import gettext_lazy as _

# Every reason a person may be refused downloads, by code (the API's `code`).
REFUSAL_MESSAGES = {
    "not_authenticated": _("Log in to download videos."),
    "inactive": _("This account is deactivated."),
    "email_unverified": _("Verify your e-mail address with the code we sent you."),
    "terms_not_accepted": _("Accept the current terms of use."),
    "quota_exceeded": _("You have reached your daily download allowance."),
}


def download_refusal_codes(user) -> list[str]:
    """Empty when `user` may download (quotas aside); otherwise the code of each reason."""
    if user is None or not user.is_authenticated:
        return ["not_authenticated"]
    codes = []
    if not user.is_active:
        codes.append("inactive")
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        codes.append("email_unverified")
    if not user.has_accepted_current_terms:
        codes.append("terms_not_accepted")
    return codes


def download_refusals(user) -> list[tuple[str, str]]:
    """Empty when `user` may download; otherwise (code, message) for each reason, in the active language."""
    return [(code, str(REFUSAL_MESSAGES[code])) for code in download_refusal_codes(user)]


def may_download(user) -> bool:
    return not download_refusal_codes(user)
