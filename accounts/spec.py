"""allauth's OpenAPI specification, corrected for this configuration (served at /_allauth/openapi.json|yaml).

allauth 65.21 builds the document from a static YAML file, adjusted for the
enabled features only, and has no hook to post-process it. What it gets wrong
here, and what is corrected:

- the flows a session lists: `password_reset_by_code` is missing from the
  enum, and `is_pending` is declared always true, though allauth lists flows
  that are not pending with `false`;
- passwords: new passwords carry the policy's length bounds
  (AUTH_PASSWORD_VALIDATORS) and the examples obey the policy;
- answers the portal's views give and the document did not declare: 429 with
  Retry-After on every limit, 415 for a body that is not JSON, the 200 of a
  password change;
- paths the portal does not serve (the phone endpoints) are dropped: allauth
  prunes by resolving each path, and the catch-all 404 of accounts/urls.py
  resolves them all;
- inputs, as the forms judge them (accounts/spec_inputs.py): log-in by e-mail
  only, e-mail addresses and passwords that cannot be empty, the sign-up's
  profile fields, terms and return URL with the constraints of
  accounts/forms.py;
- a session token that is no longer valid is a 410 wherever one can be sent.
"""

import copy
import json

from allauth.headless.spec.internal.schema import get_schema
from django.contrib.auth.password_validation import get_default_password_validators
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from .spec_inputs import correct_inputs, password_pattern

#: The example the document shows for a password; it satisfies the policy (tests/accounts/test_spec.py).
EXAMPLE_PASSWORD = "Gr8-Broadcast!Day"  # noqa: S105  (an example, not a secret)

#: Answers the portal gives beyond allauth's document: {(path below /v1, method): {status: response}}.
LIMITED = ("429", "TooManyRequests")
NOT_JSON = ("415", "UnsupportedMediaType")
EXTRA_RESPONSES = {
    ("/auth/login", "post"): [LIMITED, NOT_JSON],
    ("/auth/signup", "post"): [LIMITED, NOT_JSON],
    ("/auth/email/verify", "get"): [LIMITED],
    ("/auth/email/verify", "post"): [LIMITED, NOT_JSON],
    ("/auth/email/verify/resend", "post"): [NOT_JSON],
    ("/auth/password/request", "post"): [LIMITED, NOT_JSON],
    ("/auth/password/reset", "get"): [LIMITED],
    ("/auth/password/reset", "post"): [LIMITED, NOT_JSON],
    ("/auth/reauthenticate", "post"): [LIMITED, NOT_JSON],
    ("/account/password/change", "post"): [LIMITED, NOT_JSON, ("200", "Authenticated")],
    ("/account/email", "post"): [LIMITED, NOT_JSON],
    ("/account/email", "put"): [LIMITED, NOT_JSON],
    ("/auth/code/confirm", "post"): [NOT_JSON],
    ("/tokens/refresh", "post"): [NOT_JSON],
    # allauth declares 401 for GET and POST of the e-mail addresses, not for the other two.
    ("/account/email", "patch"): [NOT_JSON, ("401", "Unauthenticated")],
    ("/account/email", "delete"): [NOT_JSON, ("401", "Unauthenticated")],
}
for _answers in (EXTRA_RESPONSES[("/account/email", "put")], EXTRA_RESPONSES[("/auth/reauthenticate", "post")]):
    _answers.append(("401", "Unauthenticated"))
#: Wherever a session token can be sent (or a session is needed: a 401 without one), a token that is no longer
#: valid is a 410: allauth checks the token before the view (allauth.headless.internal.authkit).
SESSION_GONE = ("410", "SessionGone")
#: Answers any operation below `/_allauth/{client}/` may give: a client that is not `app` or `browser` is a
#: 404 (accounts/urls.py's catch-all); a browser's write without its CSRF token a 403 (accounts/csrf.py).
UNKNOWN_CLIENT = ("404", "UnknownClient")
CSRF_REFUSED = ("403", "CSRFRefused")
WRITES = ("post", "put", "patch", "delete")


def corrected_schema() -> dict:
    spec = get_schema()
    drop_paths_not_served(spec)
    correct_flows(spec)
    correct_passwords(spec)
    correct_inputs(spec)
    correct_session_gone(spec)
    declare_answers(spec)
    return spec


def _served(path: str) -> bool:
    for client in ("browser", "app"):
        try:
            match = resolve(path.replace("{client}", client))
        except Resolver404:
            continue
        if match.url_name != "not_found":
            return True
    return False


def drop_paths_not_served(spec: dict) -> None:
    spec["paths"] = {path: item for path, item in spec["paths"].items() if _served(path)}
    used = {tag for item in spec["paths"].values() for operation in item.values() for tag in operation.get("tags", [])}
    spec["tags"] = [tag for tag in spec["tags"] if tag["name"] in used]
    spec["x-tagGroups"] = [group for group in spec.get("x-tagGroups", []) if set(group["tags"]) & used]
    for group in spec["x-tagGroups"]:
        group["tags"] = [tag for tag in group["tags"] if tag in used]


def correct_flows(spec: dict) -> None:
    flow = spec["components"]["schemas"]["Flow"]
    ids = flow["properties"]["id"]["enum"]
    if "password_reset_by_code" not in ids:
        ids.append("password_reset_by_code")
    flow["properties"]["is_pending"] = {
        "type": "boolean",
        "description": "Whether this flow is the one the session is in the middle of.",
    }


def _length_bounds() -> dict:
    bounds = {}
    for validator in get_default_password_validators():
        if hasattr(validator, "min_length"):
            bounds["minLength"] = max(bounds.get("minLength", 0), validator.min_length)
        if hasattr(validator, "max_length"):
            bounds["maxLength"] = min(bounds.get("maxLength", validator.max_length), validator.max_length)
    return bounds


def correct_session_gone(spec: dict) -> None:
    """allauth answers a session token that is no longer valid (410) with `is_authenticated: null`."""
    meta = spec["components"]["schemas"]["AuthenticationMeta"]["allOf"][1]["properties"]
    meta["is_authenticated"] = {
        "type": "boolean",
        "nullable": True,
        "description": "null in the 410 answer to a session token that is no longer valid.",
    }


def correct_passwords(spec: dict) -> None:
    schemas = spec["components"]["schemas"]
    schemas["Password"]["example"] = EXAMPLE_PASSWORD
    schemas["NewPassword"] = {
        "type": "string",
        "description": "A new password. The rules (in the request's language): GET /api/v1/accounts/password-policy.",
        "example": EXAMPLE_PASSWORD,
        **_length_bounds(),
    }
    pattern = password_pattern()
    if pattern:
        schemas["NewPassword"]["pattern"] = pattern
    new = {"$ref": "#/components/schemas/NewPassword"}
    schemas["Signup"]["allOf"][1]["properties"]["password"] = new
    schemas["ResetPassword"]["properties"]["password"] = new
    change = spec["components"]["requestBodies"]["ChangePassword"]["content"]["application/json"]["schema"]
    change["properties"]["new_password"] = new


def _error_schema(spec: dict, status: int) -> dict:
    schema = copy.deepcopy(spec["components"]["schemas"]["ErrorResponse"])
    schema["properties"]["status"] = {"type": "integer", "enum": [status], "example": status}
    schema["required"] = ["status"]
    return schema


def declare_answers(spec: dict) -> None:
    responses = spec["components"]["responses"]
    responses[LIMITED[1]] = {
        "description": "A limit was reached (too many attempts, codes, requests). Retry-After says when to come "
        "back; the answer is the same whether or not the address has an account.\n",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
        "content": {"application/json": {"schema": _error_schema(spec, 429)}},
    }
    responses[NOT_JSON[1]] = {
        "description": "The body is not sent as application/json.\n",
        "content": {"application/json": {"schema": _error_schema(spec, 415)}},
    }
    responses[UNKNOWN_CLIENT[1]] = {
        "description": "Nothing at this address: `client` is `app` or `browser`.\n",
        "content": {"application/json": {"schema": _error_schema(spec, 404)}},
    }
    responses[CSRF_REFUSED[1]] = {
        "description": "The browser client's write came without its CSRF token (cookie and X-CSRFToken header).\n",
        "content": {"application/json": {"schema": _error_schema(spec, 403)}},
    }
    for path, item in spec["paths"].items():
        below = path.partition("/v1")[2]
        for method, operation in item.items():
            for status, name in EXTRA_RESPONSES.get((below, method), []):
                operation["responses"][status] = {"$ref": f"#/components/responses/{name}"}
            if "{client}" in path:
                extra = [UNKNOWN_CLIENT, CSRF_REFUSED] if method in WRITES else [UNKNOWN_CLIENT]
                if "401" in operation["responses"] or _takes_session_token(spec, item, operation):
                    extra.append(SESSION_GONE)
                for status, name in extra:
                    operation["responses"].setdefault(status, {"$ref": f"#/components/responses/{name}"})


def _takes_session_token(spec: dict, item: dict, operation: dict) -> bool:
    parameters = spec["components"]["parameters"]
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
        if "$ref" in parameter:
            parameter = parameters[parameter["$ref"].rpartition("/")[2]]
        if parameter["in"] == "header" and parameter["name"].lower() == "x-session-token":
            return True
    return False


def openapi_json(request):
    return HttpResponse(
        json.dumps(corrected_schema()),
        content_type="application/vnd.oai.openapi+json",
        headers={"Content-Disposition": "inline; filename=allauth-openapi.json"},
    )


def openapi_yaml(request):
    import yaml

    return HttpResponse(
        yaml.dump(corrected_schema(), Dumper=yaml.Dumper),
        content_type="application/vnd.oai.openapi",
        headers={"Content-Disposition": "inline; filename=allauth-openapi.yaml"},
    )
