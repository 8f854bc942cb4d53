"""Signal handlers, connected when the app is ready (AccountsConfig.ready)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .models import NewsletterSubscription


@receiver(email_confirmed, dispatch_uid="accounts.welcome_newsletter_on_verification")
def welcome_newsletter_on_verification(request, email_address, **kwargs):
    """A newsletter consent given at sign-up is confirmed once the address is proven to be the person's."""
    from .newsletter import send_newsletter_welcome

    subscription = NewsletterSubscription.objects.filter(
        user_id=email_address.user_id,
        email__iexact=email_address.email,
        source=NewsletterSubscription.Source.SIGNUP,
        unsubscribed_at__isnull=True,
    ).first()
    if subscription is not None:
        send_newsletter_welcome(subscription, request=request)
