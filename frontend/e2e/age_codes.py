"""Time travel for the e2e specs: the codes pending in one browser session are made `SECONDS` older.

    python frontend/e2e/age_codes.py SESSION_KEY SECONDS

allauth keeps a pending code's issue time (`at`) in the session and compares it with the clock when the code
is submitted; moving `at` back is what waiting would do, and the CMS still decides on its own whether the code
has expired. Run with the e2e stack's environment (run.sh exports DJANGO_SETTINGS_MODULE and DATABASE_URL).
"""

import os
import sys
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, where manage.py is
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

from allauth.account.internal.flows.email_verification_by_code import (  # noqa: E402
    EMAIL_VERIFICATION_CODE_SESSION_KEY,
)
from allauth.account.internal.flows.password_reset_by_code import (  # noqa: E402
    PASSWORD_RESET_VERIFICATION_SESSION_KEY,
)
from django.conf import settings  # noqa: E402


def main(session_key: str, seconds: float) -> int:
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    aged = []
    for key in (EMAIL_VERIFICATION_CODE_SESSION_KEY, PASSWORD_RESET_VERIFICATION_SESSION_KEY):
        state = session.get(key)
        if state and "at" in state:
            session[key] = {**state, "at": state["at"] - seconds}
            aged.append(key)
    if not aged:
        print(f"No pending code in session {session_key[:6]}…", file=sys.stderr)
        return 1
    session.save()
    print("aged:", ", ".join(aged))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
