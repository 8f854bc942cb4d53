import secrets

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

SESSION_EPOCH_SALT = "accounts.User.session_epoch"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Logins must find "Ann@Example.org" when the account is "ann@example.org".
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def media_accounts(self):
        """Media professionals: accounts made through the public sign-up, never editors."""
        return self.filter(is_staff=False, is_superuser=False)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Editors and media professionals alike log in with their e-mail address.

    The media-account profile (organisation, country, language, terms) lives
    on the user row itself: every media account has one, it is small, and the
    admin filters on it without a join.
    """

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log into the admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    organisation = models.CharField(_("organisation / media outlet"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code."))
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="en",
        help_text=_("The language of every e-mail the portal sends to this person."),
    )
    terms_version = models.CharField(_("terms of use accepted (version)"), max_length=32, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms of use accepted on"), null=True, blank=True)
    # Changed by "sign out everywhere" (`end_all_sessions`): part of the session hash and of every
    # download link's stamp, so that every session and link handed out before stops working.
    session_epoch = models.CharField(max_length=32, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Case-insensitive uniqueness is enforced by the database itself so
            # that two concurrent sign-ups cannot both succeed.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    def _get_session_auth_hash(self, secret=None):
        # Django's hook for the hash every session is checked against (the current key and each
        # fallback go through it); Django ties it to the password only, so signing out everywhere
        # would need a scan of every stored session, which the database session store cannot do per user.
        base = super()._get_session_auth_hash(secret=secret)
        if not self.session_epoch:
            return base
        return salted_hmac(SESSION_EPOCH_SALT, base + self.session_epoch, secret=secret, algorithm="sha256").hexdigest()

    def save(self, *args, **kwargs):
        # Deactivating ends every session and link for good: reactivating later brings none of them back.
        if self.pk and not self.is_active and type(self)._default_manager.filter(pk=self.pk, is_active=True).exists():
            self.session_epoch = secrets.token_hex(16)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "session_epoch"}
        super().save(*args, **kwargs)

    def end_all_sessions(self) -> None:
        """Sign out everywhere: every session and app token, and every download link handed out, stop working."""
        self.session_epoch = secrets.token_hex(16)
        type(self)._default_manager.filter(pk=self.pk).update(session_epoch=self.session_epoch)

    @property
    def has_accepted_current_terms(self) -> bool:
        return bool(self.terms_accepted_at) and self.terms_version == current_terms_version()

    def accept_terms(self, version: str) -> None:
        self.terms_version = version
        self.terms_accepted_at = timezone.now()


def current_terms_version() -> str:
    return getattr(settings, "ACCOUNTS_TERMS_VERSION", "1")


class NewsletterSubscription(models.Model):
    """One person's consent to receive the newsletter, kept after they unsubscribe as the record of it."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("sign-up form")
        WELCOME = "welcome", _("offer after sign-up")
        PROFILE = "profile", _("profile")
        ADMIN = "admin", _("administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="newsletter_subscription",
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    consented_at = models.DateTimeField(_("consent given on"))
    source = models.CharField(_("consent source"), max_length=16, choices=Source.choices)
    unsubscribed_at = models.DateTimeField(_("unsubscribed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter subscription")
        verbose_name_plural = _("newsletter subscriptions")
        ordering = ["-consented_at"]

    def __str__(self):
        return self.email

    @property
    def is_subscribed(self) -> bool:
        return self.unsubscribed_at is None
