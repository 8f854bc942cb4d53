"""Whether a person may download videos, and why not: the public function other apps (videos) ask."""

from allauth.account.models import EmailAddress
from django.utils.translation import gettext as _


def download_refusals(user) -> list[tuple[str, str]]:
    """Empty when `user` may download; otherwise (code, message) for each reason, in the active language."""
    if user is None or not user.is_authenticated:
        return [("not_authenticated", _("Log in to download videos."))]
    refusals = []
    if not user.is_active:
        refusals.append(("inactive", _("This account is deactivated.")))
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        refusals.append(("email_unverified", _("Verify your e-mail address with the code we sent you.")))
    if not user.has_accepted_current_terms:
        refusals.append(("terms_not_accepted", _("Accept the current terms of use.")))
    return refusals


def may_download(user) -> bool:
    return not download_refusals(user)
