"""The portal's password policy, as Django password validators (AUTH_PASSWORD_VALIDATORS).

"At least 12 characters, no spaces, upper- and lower-case letters, digits and
symbols": the composition rule is mandated by the portal although current NIST
SP 800-63B and OWASP ASVS guidance advise against composition rules
(docs/security.md, "Password policy"). Letters, digits and symbols are judged
with Unicode categories, so "É" is an upper-case letter and "€" a symbol.

Each validator raises one ValidationError per broken rule, with a stable code
that front ends can map to the rule they display (`password_policy()`).
"""

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def is_whitespace(character: str) -> bool:
    # str.isspace() misses a few invisible separators people paste by accident.
    return character.isspace() or unicodedata.category(character) in ("Zs", "Zl", "Zp", "Cf")


class MinimumLengthValidator:
    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self):
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "At least %(min_length)d character.", "At least %(min_length)d characters.", self.min_length
        ) % {"min_length": self.min_length}


class MaximumLengthValidator:
    """Long passphrases are welcome; the ceiling only stops megabyte passwords from tying up the hasher."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(self.get_error_message(), code="password_too_long")

    def get_error_message(self):
        return _("This password is too long: use at most %(max_length)d characters.") % {"max_length": self.max_length}

    def get_help_text(self):
        return _("At most %(max_length)d characters.") % {"max_length": self.max_length}


class NoWhitespaceValidator:
    """No space anywhere, leading and trailing included (the inputs are told not to strip them)."""

    def validate(self, password, user=None):
        if any(is_whitespace(character) for character in password):
            raise ValidationError(self.get_error_message(), code="password_has_whitespace")

    def get_error_message(self):
        return _("This password contains a space: spaces are not allowed anywhere, including at the start or end.")

    def get_help_text(self):
        return _("No spaces.")


class CharacterClassesValidator:
    """At least one upper-case letter, one lower-case letter, one digit and one symbol."""

    RULES = ("upper", "lower", "digit", "symbol")

    @staticmethod
    def classes_of(password: str) -> set[str]:
        found = set()
        for character in password:
            category = unicodedata.category(character)
            if category in ("Lu", "Lt"):
                found.add("upper")
            elif category == "Ll":
                found.add("lower")
            elif category == "Nd":
                found.add("digit")
            elif category[0] in ("P", "S"):
                found.add("symbol")
        return found

    def validate(self, password, user=None):
        present = self.classes_of(password)
        messages = self.messages()
        errors = [
            ValidationError(messages[rule], code=f"password_no_{rule}") for rule in self.RULES if rule not in present
        ]
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def messages():
        return {
            "upper": _("This password has no upper-case letter."),
            "lower": _("This password has no lower-case letter."),
            "digit": _("This password has no digit."),
            "symbol": _("This password has no symbol (such as ! ? # - _ @)."),
        }

    def get_help_text(self):
        return _("Upper- and lower-case letters, digits and symbols.")


def password_policy() -> dict:
    """The rules, in the active language, for front ends to show before submission."""
    rules = []
    minimum, maximum = 0, None
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, MinimumLengthValidator):
            minimum = validator.min_length
        elif isinstance(validator, MaximumLengthValidator):
            maximum = validator.max_length
        rules.append({"rule": type(validator).__name__, "help_text": str(validator.get_help_text())})
    summary = _(
        "The password must be at least %(min_length)d characters long, with no spaces, "
        "and include upper- and lower-case letters, digits and symbols."
    ) % {"min_length": minimum}
    return {"min_length": minimum, "max_length": maximum, "summary": summary, "rules": rules}
