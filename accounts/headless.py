"""allauth's headless views, with the portal's hardening in front of them.

allauth does the work (sign-up, codes, sessions, tokens); these subclasses add
only what allauth 65.21 does not do (each measured against it, see
docs/security.md):

- code submissions are counted atomically in the cache before allauth compares
  the code, per verification process and per address (`CodeSubmissionGuard`);
- asking again for a reset code in the same session keeps the first code's
  expiry and submissions, as allauth already does for verification resends;
- passwords are taken as typed: allauth's inputs strip spaces, which would
  hide a leading or trailing space from the no-whitespace rule;
- a sign-up for an existing address costs the same password hashing as a real
  one, and a concurrent duplicate sign-up gets the same answer as any other;
- a wrong reset code gets the same answer whether or not the address has an
  account (allauth 65.21 crashes on one and judges the password on the other);
- request bodies must be JSON objects sent as application/json.
"""

import functools
import json
from http import HTTPStatus

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows import signup as signup_flows
from allauth.account.internal.flows.email_verification_by_code import EmailVerificationProcess
from allauth.account.internal.flows.password_reset_by_code import PasswordResetVerificationProcess
from allauth.headless.account import inputs, views
from allauth.headless.base.response import AuthenticationResponse, ConflictResponse
from allauth.headless.internal.restkit.inputs import CharField
from allauth.headless.internal.restkit.response import APIResponse, ErrorResponse
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import throttle
from .adapter import DuplicateSignup
from .forms import ReturnUrlField
from .return_urls import SESSION_KEY as RETURN_URL_SESSION_KEY

# --- Inputs ----------------------------------------------------------------


class SignupInput(inputs.SignupInput):
    password = CharField(strip=False)

    def try_save(self, request):
        if self.account_already_exists and self.cleaned_data.get("password"):
            # A new account costs one password hash; so does the answer for an
            # existing address, or timing would tell the two apart.
            make_password(self.cleaned_data["password"])
        return super().try_save(request)


class LoginInput(inputs.LoginInput):
    password = CharField(strip=False)


class ChangePasswordInput(inputs.ChangePasswordInput):
    current_password = CharField(required=False, strip=False)
    new_password = CharField(strip=False)


class ResetPasswordInput(inputs.ResetPasswordInput):
    password = CharField(strip=False)

    def clean(self):
        cleaned_data = super().clean()
        if "key" in self._errors:
            # The password is judged only once the code is right: allauth
            # judges it only when the address has an account, which would tell
            # an attacker whether it has one.
            self._errors.pop("password", None)
        return cleaned_data


class RequestPasswordResetInput(inputs.RequestPasswordResetInput):
    return_url = ReturnUrlField()


# --- Responses -------------------------------------------------------------


def error_response(request, status: int, code: str, message: str, param: str | None = None) -> APIResponse:
    """An error in allauth's own format (`{"status": ..., "errors": [{"message", "code", "param"}]}`)."""
    error = {"message": str(message), "code": code}
    if param:
        error["param"] = param
    return APIResponse(request, errors=[error], status=status)


def too_many_attempts(request) -> APIResponse:
    return error_response(
        request,
        HTTPStatus.TOO_MANY_REQUESTS,
        "too_many_attempts",
        _("Too many attempts with this code. Ask for a new code and try again later."),
        param="key",
    )


# --- Code submissions ------------------------------------------------------


class CodeSubmissionGuard:
    """Count each code submission atomically before allauth compares the code.

    Two counters, both in the shared cache (accounts/throttle.py):
    - per verification process (the session and the moment the first code was
      sent): at most the process's max_attempts submissions, whatever the
      number of codes resent since;
    - per address: at most ACCOUNTS_CODE_SUBMISSIONS_PER_ADDRESS submissions
      in a 30-minute window, across sessions and processes.
    Over either, the process is ended (like allauth does after its last
    attempt) and the code is not compared.
    """

    purpose = ""

    def code_is_proven(self) -> bool:
        return False

    def refuse_submission(self):
        process = self.process
        if process is None or self.code_is_proven():
            return None
        state = process.state
        window = process.timeout
        session_key = self.request.session.session_key or ""
        per_process = f"accounts:code:{self.purpose}:{throttle.opaque(session_key, repr(state.get('at')))}"
        if throttle.hit(per_process, window) > process.max_attempts:
            process.abort()
            return too_many_attempts(self.request)
        per_address = f"accounts:code-address:{self.purpose}:{throttle.opaque(state.get('email', '').lower())}"
        limit = getattr(settings, "ACCOUNTS_CODE_SUBMISSIONS_PER_ADDRESS", 10)
        if throttle.hit(per_address, window) > limit:
            process.abort()
            return too_many_attempts(self.request)
        return None

    def handle_input(self, data):
        return self.refuse_submission() or super().handle_input(data)


class VerifyEmailView(CodeSubmissionGuard, views.VerifyEmailView):
    purpose = "verify_email"

    def get(self, request, *args, **kwargs):
        return self.refuse_submission() or super().get(request, *args, **kwargs)


class ResendEmailVerificationCodeView(views.ResendEmailVerificationCodeView):
    def post(self, request, *args, **kwargs):
        # allauth's resend count is read-modify-write in the session too.
        process = EmailVerificationProcess.resume(request)
        if process is None:
            return super().post(request, *args, **kwargs)
        key = f"accounts:resend:{throttle.opaque(request.session.session_key or '', repr(process.state.get('at')))}"
        if throttle.hit(key, process.timeout) > account_settings.EMAIL_VERIFICATION_MAX_RESEND_COUNT:
            return ConflictResponse(request)
        response = super().post(request, *args, **kwargs)
        if response.status_code != HTTPStatus.OK:
            throttle.undo(key)
        return response


class ResetPasswordView(CodeSubmissionGuard, views.ResetPasswordView):
    purpose = "reset_password"
    input_class = ResetPasswordInput

    def code_is_proven(self) -> bool:
        # Once this session has shown the right code (GET with the key), the
        # new-password submissions are not guesses.
        return bool(self.process and self.process.state.get("code_confirmed"))

    def get(self, request, *args, **kwargs):
        refused = self.refuse_submission()
        if refused:
            return refused
        if self.process is not None and self.process.user is None:
            # No account behind this address: allauth 65.21 compares the key
            # with None and fails with a 500. Answer as for a wrong code.
            key = request.headers.get("X-Password-Reset-Key", "")
            form = inputs.ResetPasswordKeyInput({"key": key}, code=self.process.code)
            form.is_valid()
            self.process.record_invalid_attempt()
            return ErrorResponse(request, input=form)
        return super().get(request, *args, **kwargs)


class RequestPasswordResetView(views.RequestPasswordResetView):
    input_class = RequestPasswordResetInput

    def post(self, request, *args, **kwargs):
        email = self.input.cleaned_data["email"].lower()
        return_url = self.input.cleaned_data.get("return_url")
        if return_url:
            request.session[RETURN_URL_SESSION_KEY] = return_url  # before the mail is rendered
        previous = PasswordResetVerificationProcess.resume(request)
        previous_state = dict(previous.state) if previous else None
        response = super().post(request, *args, **kwargs)
        if response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
            return response
        if previous_state and previous_state.get("email", "").lower() == email:
            # Asking again in the same session is a resend: a new code, the
            # first code's expiry and the submissions already used.
            process = PasswordResetVerificationProcess.resume(request)
            if process is not None:
                process.state["at"] = previous_state["at"]
                process.state["failed_attempts"] = previous_state.get("failed_attempts", 0)
                process.state["resend_count"] = previous_state.get("resend_count", 0) + 1
                process.persist()
        return response


# --- Sign-up, log-in, password change --------------------------------------


class SignupView(views.SignupView):
    input_class = {"POST": SignupInput}

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except DuplicateSignup as duplicate:
            response = signup_flows.prevent_enumeration(request, email=duplicate.email)
            return AuthenticationResponse.from_response(request, response)


class LoginView(views.LoginView):
    input_class = LoginInput


class ChangePasswordView(views.ChangePasswordView):
    input_class = ChangePasswordInput


#: allauth URL names whose views are replaced, in both clients.
VIEW_OVERRIDES = {
    "signup": SignupView,
    "login": LoginView,
    "verify_email": VerifyEmailView,
    "resend_email_verification_code": ResendEmailVerificationCodeView,
    "request_password_reset": RequestPasswordResetView,
    "reset_password": ResetPasswordView,
    "change_password": ChangePasswordView,
}

# --- Request bodies --------------------------------------------------------


def _body_error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"status": status, "errors": [{"message": message, "code": code}]}, status=status)
    add_never_cache_headers(response)
    return response


def require_json_body(view):
    """allauth reads any body as JSON and answers a bare, empty 400 when it is not."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        has_body = request.META.get("CONTENT_LENGTH", "") not in ("", "0")
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and has_body:
            # Decide on the content type before touching the body: the CSRF
            # middleware may already have parsed a form out of it.
            if request.content_type != "application/json":
                return _body_error(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    _("Send the request body as JSON, with the header Content-Type: application/json."),
                )
            try:
                data = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                data = None
            if not isinstance(data, dict):
                return _body_error(HTTPStatus.BAD_REQUEST, "invalid_json", _("The request body must be a JSON object."))
        return view(request, *args, **kwargs)

    return checked
