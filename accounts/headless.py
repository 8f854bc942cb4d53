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
- request bodies must be JSON objects sent as application/json;
- a GET that checks a code without its key header is a 400 that says so,
  whatever the session's state (allauth answers 409 when no process is
  pending, as if the header were optional).
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
from django.contrib.auth.hashers import make_password
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import limits, throttle
from .adapter import CODE_MAIL_COUNTED, CODE_MAIL_WITHHELD, DuplicateSignup
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


# --- Code submissions ------------------------------------------------------


class CodeSubmissionGuard:
    """Count each code submission atomically before allauth compares the code.

    Two counters, both in the shared cache (accounts/throttle.py):
    - per verification process (the session and the moment the first code was
      sent): at most the process's max_attempts submissions, whatever the
      number of codes resent since;
    - per address: at most ACCOUNTS_CODE_SUBMISSIONS_PER_ADDRESS submissions
      in a 30-minute window, across sessions and processes. The right code
      gives its submission back: the owner's own verification must not leave
      a trace an attacker could read off the address's remaining budget.
    Over either, the process is ended (like allauth does after its last
    attempt) and the code is not compared. Once a process has ended this way,
    every later submission in the session, the right code included, gets the
    same 429 (accounts/limits.py) until the session starts a new process;
    allauth would answer a bare 409, as if there were nothing to verify.
    """

    purpose = ""
    process_class = None

    def code_is_proven(self) -> bool:
        return False

    def current_process(self):
        return self.process_class.resume(self.request)

    def refuse_submission(self):
        process = self.process
        if process is None or self.code_is_proven():
            return None
        state = process.state
        window = process.timeout
        email = state.get("email", "")
        per_process = self.per_process_key(process)
        if throttle.hit(per_process, window) > process.max_attempts:
            return self.end_process(process)
        per_address = limits.per_address_key(self.purpose, email)
        if throttle.hit(per_address, window) > limits.code_submissions_per_address():
            return self.end_process(process)
        # Kept now: a log-in on verification gives the session a new key.
        self.counted_for_address = (per_address, per_process)
        return None

    def per_process_key(self, process) -> str:
        session_key = self.request.session.session_key or ""
        return f"accounts:code:{self.purpose}:{throttle.opaque(session_key, repr(process.state.get('at')))}"

    def end_process(self, process):
        limits.lock_out(self.request, self.purpose, process)
        process.abort()
        return limits.too_many_attempts(self.request, self.purpose, process.state.get("email"))

    def handle(self, request, *args, **kwargs):
        self.counted_for_address = None
        before = self.current_process()
        if before is None:
            used_up = limits.lockout(request, self.purpose)
            if used_up is not None:
                return limits.too_many_attempts(request, self.purpose, used_up["email"])
        else:
            limits.lift_lockout(request, self.purpose)  # a new process: the session starts again
        response = super().handle(request, *args, **kwargs)
        if before is not None and response.status_code == HTTPStatus.BAD_REQUEST and self.current_process() is None:
            # allauth ended the process on its own last attempt (a wrong code).
            limits.lock_out(request, self.purpose, before)
        elif self.counted_for_address and response.status_code in (HTTPStatus.OK, HTTPStatus.UNAUTHORIZED):
            # The right code: this process's submissions were the owner's,
            # typos included; give them back to the address.
            per_address, per_process = self.counted_for_address
            throttle.undo(per_address, throttle.current(per_process) or 1)
        return response

    def handle_input(self, data):
        return self.refuse_submission() or super().handle_input(data)


class RequiredKeyHeader:
    """A GET without the key header it checks is malformed: a 400 naming the header, before anything else."""

    key_header = ""

    def handle(self, request, *args, **kwargs):
        if request.method == "GET" and self.key_header not in request.headers:
            response = JsonResponse(
                {
                    "status": HTTPStatus.BAD_REQUEST,
                    "errors": [
                        {
                            "message": _("The %(header)s header is required.") % {"header": self.key_header},
                            "code": "required",
                            "param": "key",
                        }
                    ],
                },
                status=HTTPStatus.BAD_REQUEST,
            )
            add_never_cache_headers(response)
            return response
        return super().handle(request, *args, **kwargs)


class VerifyEmailView(RequiredKeyHeader, CodeSubmissionGuard, views.VerifyEmailView):
    key_header = "X-Email-Verification-Key"
    purpose = "verify_email"
    process_class = EmailVerificationProcess

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
        # The code mail's turn is taken here, whether or not a mail goes out
        # (allauth sends none for a sign-up with a known address). Within the
        # cooldown nothing is sent and the code already sent stays the one
        # to type, but the answer is the same as for a code sent: a refusal
        # would tell when the address was last mailed, e.g. that its owner
        # has just signed up.
        if limits.take_code_mail_turn(process.state.get("email", "")):
            process.record_resend()
            process.persist()
            return APIResponse(request)
        setattr(request, CODE_MAIL_COUNTED, True)
        response = super().post(request, *args, **kwargs)
        if response.status_code != HTTPStatus.OK:
            throttle.undo(key)
        return response


class ResetPasswordView(RequiredKeyHeader, CodeSubmissionGuard, views.ResetPasswordView):
    key_header = "X-Password-Reset-Key"
    purpose = "reset_password"
    process_class = PasswordResetVerificationProcess
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
    """allauth's log-in, with its lockout told as such.

    allauth answers a locked-out address (ACCOUNT_RATE_LIMITS "login_failed")
    with 400 too_many_login_attempts, even for the right password, beside the
    400s of wrong passwords; here it is a 429 with Retry-After. The lockout is
    counted per address whether or not it has an account, so the answer is
    the same for both. A log-in of an unverified account whose code mail had
    to wait for the cooldown says so (429) rather than leave a session
    waiting for a code that was never sent.
    """

    input_class = LoginInput

    def handle_invalid_input(self, input):
        codes = {error.code for errors in input.errors.as_data().values() for error in errors}
        if "too_many_login_attempts" in codes:
            email = str(self.data.get("email", "")) if isinstance(self.data, dict) else ""
            response = ErrorResponse(self.request, input=input, status=HTTPStatus.TOO_MANY_REQUESTS)
            response["Retry-After"] = str(limits.login_retry_after(self.request, email))
            return response
        return super().handle_invalid_input(input)

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        wait = getattr(request, CODE_MAIL_WITHHELD, 0)
        if wait:
            process = EmailVerificationProcess.resume(request)
            if process is not None:
                process.abort()
            return limits.too_many_code_mails(request, wait)
        return response


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
