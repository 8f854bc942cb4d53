"""The inputs of allauth's OpenAPI document, declared as this configuration's forms judge them (accounts/spec.py).

allauth documents its inputs for every configuration at once: a log-in by
username, e-mail or phone, strings that may be empty, and the custom sign-up
form's fields as bare strings and booleans. A client built from the document
(or a fuzzer) then sends requests the server can only refuse. Here:

- the log-in is by e-mail (ACCOUNT_LOGIN_METHODS), with its password;
- an e-mail address is one (allauth refuses anything else), a password that
  is typed to be compared (not a new one) is at least one character;
- the sign-up's profile fields carry what accounts/forms.py requires: Django's
  CharField strips spaces, so a value needs one character that is not a
  space, and it refuses NUL characters; the terms must be accepted, in their
  current version (ACCOUNTS_TERMS_VERSION); the return URL is declared as a
  relative path (accounts/return_urls.py also takes a page of a registered
  front end, which the document, the same on every site, cannot list);
- a new password has no whitespace and one character of each class
  (accounts/password_validation.py), within the bounds the policy sets.
"""

import itertools

from django.contrib.auth.password_validation import get_default_password_validators

from . import return_urls
from .forms import MediaAccountSignupForm
from .models import current_terms_version
from .password_validation import is_whitespace

#: A form's required CharField: something left once spaces are stripped, and no NUL character.
REQUIRED_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
#: A relative return URL: printable ASCII without backslashes, starting with one slash, not two.
RELATIVE_RETURN_URL = r"/(?:[!-.0-\[\]-~][!-\[\]-~]*)?"


def correct_inputs(spec: dict) -> None:
    schemas = spec["components"]["schemas"]
    schemas["Email"].update({"format": "email", "minLength": 3})
    schemas["Password"]["minLength"] = 1
    schemas["Login"] = {
        "type": "object",
        "properties": {
            "email": {"$ref": "#/components/schemas/Email"},
            "password": {"$ref": "#/components/schemas/Password"},
        },
        "required": ["email", "password"],
    }
    correct_signup(schemas["BaseSignup"])


def correct_signup(base: dict) -> None:
    properties = base["properties"]
    fields = MediaAccountSignupForm.base_fields
    for name, field in fields.items():
        if name in properties and field.required and getattr(field, "max_length", None):
            properties[name].update({"minLength": 1, "maxLength": field.max_length, "pattern": REQUIRED_TEXT})
    properties["terms_accepted"] = {
        "type": "boolean",
        "enum": [True],
        "description": "Must be true: an account is only created once the terms of use are accepted.",
    }
    version = current_terms_version()
    properties["terms_version"].update({"enum": [version], "example": version})
    properties["terms_version"].pop("maxLength", None)
    properties["return_url"].update(
        {
            "maxLength": return_urls.MAX_LENGTH,
            "pattern": f"^(?:{RELATIVE_RETURN_URL})?$",
            "description": "The page to come back to: a path on the front end (`/fr/videos`). An absolute URL of "
            "a page of a registered front end is accepted too; the pattern leaves it out, as the registry is data "
            "and the document is the same everywhere.",
        }
    )
    base["required"] = sorted(
        set(base["required"]) | {name for name, field in fields.items() if field.required and name in properties},
        key=list(properties).index,
    )


def _not_whitespace() -> str:
    """A class of every character the no-whitespace rule accepts (accounts/password_validation.py), in the BMP."""
    refused, start = [], None
    for code in range(0x10000):
        if is_whitespace(chr(code)) if not 0xD800 <= code <= 0xDFFF else False:
            start = code if start is None else start
            continue
        if start is not None:
            refused.append((start, code - 1))
            start = None
    ranges = "".join(f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in refused)
    return f"[^{ranges}]"


#: One character of each class the composition rule asks for, in ASCII (the rule also counts other scripts').
PASSWORD_CLASSES = ("[A-Z]", "[a-z]", "[0-9]", r"[!-/:-@\[-`{-~]")


def password_pattern() -> str | None:
    """The policy's no-whitespace and composition rules as a pattern, when they are in AUTH_PASSWORD_VALIDATORS.

    A pattern cannot say "contains each of" without lookaheads, which generators of examples cannot satisfy;
    it lists the 24 orders the four classes can come in instead, with anything but whitespace around them.
    """
    names = {type(validator).__name__ for validator in get_default_password_validators()}
    if not {"NoWhitespaceValidator", "CharacterClassesValidator"} <= names:
        return None
    other = _not_whitespace() + "*"
    orders = [other.join(order) for order in itertools.permutations(PASSWORD_CLASSES)]
    return f"^{other}(?:{'|'.join(orders)}){other}$"
