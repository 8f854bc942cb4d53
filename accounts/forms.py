"""Forms: the media-account sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS), the profile, the admin log-in."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from . import throttle
from .countries import COUNTRY_CODES
from .models import NewsletterSubscription, User, current_terms_version
from .newsletter import subscribe
from .return_urls import SESSION_KEY as RETURN_URL_SESSION_KEY
from .return_urls import clean_return_url


def language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


def request_language() -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


class CountryField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[(code, code) for code in sorted(COUNTRY_CODES)], **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class ReturnUrlField(forms.CharField):
    default_validators = [clean_return_url]

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("help_text", "The page to come back to: a relative path or a page of a registered front end.")
        super().__init__(**kwargs)


class ProfileFieldsMixin(forms.Form):
    # Help texts are plain strings: allauth puts them in its OpenAPI document (JSON), not in front of people.

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    organisation = forms.CharField(label=_("Organisation / media outlet"), max_length=200)
    country = CountryField(label=_("Country"), help_text="ISO 3166-1 alpha-2 code, e.g. FR.")
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=language_choices,
        required=False,
        help_text="The language of every e-mail sent to the person. Default: the language of the request.",
    )


class MediaAccountSignupForm(ProfileFieldsMixin):
    """The fields a media professional gives at sign-up, on top of allauth's e-mail and password.

    allauth builds its sign-up input on top of this class, so these fields are
    validated (and documented in allauth's OpenAPI specification) with the rest.
    """

    terms_accepted = forms.BooleanField(
        label=_("I accept the terms of use"),
        error_messages={"required": _("You must accept the terms of use to create an account.")},
    )
    terms_version = forms.CharField(
        label=_("Version of the terms of use accepted"),
        max_length=32,
        help_text="The version shown to the person (GET /api/v1/accounts/terms).",
    )
    newsletter = forms.BooleanField(label=_("Subscribe to the newsletter"), required=False)
    return_url = ReturnUrlField()

    def clean_terms_version(self):
        version = self.cleaned_data["terms_version"]
        if version != current_terms_version():
            raise ValidationError(
                _("The terms of use have changed: please read and accept version %(version)s."),
                code="outdated_terms",
                params={"version": current_terms_version()},
            )
        return version

    def clean_language(self):
        return self.cleaned_data.get("language") or request_language()

    def clean(self):
        cleaned_data = super().clean()
        password = cleaned_data.get("password")
        if password and cleaned_data.get("email"):
            # allauth validates the password before it has a user; the
            # similarity check needs the names and organisation given here.
            candidate = User(
                email=cleaned_data["email"],
                first_name=cleaned_data.get("first_name", ""),
                last_name=cleaned_data.get("last_name", ""),
                organisation=cleaned_data.get("organisation", ""),
            )
            similarity = [
                validator
                for validator in password_validation.get_default_password_validators()
                if isinstance(validator, password_validation.UserAttributeSimilarityValidator)
            ]
            try:
                password_validation.validate_password(password, candidate, password_validators=similarity)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned_data

    def apply_profile(self, user) -> None:
        """Called by the adapter before the new user is first saved."""
        data = self.cleaned_data
        for name in ("first_name", "last_name", "organisation", "country", "language"):
            setattr(user, name, data[name])
        user.accept_terms(data["terms_version"])

    def signup(self, request, user):
        """allauth's hook once the user exists: the newsletter consent and the page to come back to."""
        if self.cleaned_data.get("newsletter"):
            subscribe(user, source=NewsletterSubscription.Source.SIGNUP, welcome=False)
        if self.cleaned_data.get("return_url"):
            request.session[RETURN_URL_SESSION_KEY] = self.cleaned_data["return_url"]


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    """PATCH /api/v1/me: only the fields sent are bound and validated."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "organisation", "country", "language"]

    def __init__(self, *args, fields_sent=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields_sent:
                del self.fields[name]
        if "language" in self.fields:
            self.fields["language"].required = True


class LoginThrottleMixin:
    """Failed admin log-ins are counted per client IP and per account, in the shared cache."""

    def clean(self):
        from allauth.account.adapter import get_adapter

        rates = getattr(settings, "ACCOUNTS_ADMIN_LOGIN_RATE", {"ip": (20, 300), "key": (5, 300)})
        username = (self.data.get("username") or "").strip().lower()
        ip = get_adapter().get_client_ip(self.request) if self.request is not None else "unknown"
        counters = [
            (f"accounts:admin-login:ip:{throttle.opaque(ip)}", *rates["ip"]),
            (f"accounts:admin-login:key:{throttle.opaque(username)}", *rates["key"]),
        ]
        blocked = False
        for key, limit, window in counters:
            blocked = throttle.hit(key, window) > limit or blocked
        if blocked:
            raise ValidationError(
                _("Too many failed log-in attempts. Try again in a few minutes."), code="too_many_attempts"
            )
        cleaned_data = super().clean()
        for key, _limit, _window in counters:
            throttle.undo(key)  # only failures count
        return cleaned_data


class RateLimitedAdminLoginForm(LoginThrottleMixin, LoginForm):
    """The Wagtail admin log-in (WAGTAILADMIN_USER_LOGIN_FORM)."""


class RateLimitedDjangoAdminLoginForm(LoginThrottleMixin, AdminAuthenticationForm):
    """The Django admin log-in (set on admin.site in AccountsConfig.ready)."""
