"""The content schemathesis is run on, made in the server's database: `python -m tests.contract.portal`.

Run in the server's environment (tests/live_server.py's `run_module`), it
builds the portal of tests/cms/content.py (every page type, both languages,
two sites) and a front end's API key, and prints the key as JSON.
"""

import json
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace


class _Folders:
    """What `video_factory` needs of pytest's tmp_path_factory: new folders."""

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-"))


def build() -> dict:
    from wagtail.models import Collection, Locale, Page

    from cms.models import FrontEnd, FrontEndAPIKey
    from tests.cms.content import build_portal
    from tests.conftest import video_factory

    # A committing test before the copy may have emptied the trees the migrations made (tests/conftest.py).
    locales = SimpleNamespace(**{code: Locale.objects.get_or_create(language_code=code)[0] for code in ("en", "fr")})
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locales.en))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    portal = build_portal(locales, video_factory(_Folders()))
    front_end = FrontEnd.objects.create(name="Fuzzer", site=portal.home.get_site(), origins="https://fuzz.example.org")
    key = FrontEndAPIKey(front_end=front_end, name="fuzz", rate_limit_per_minute=1_000_000)
    secret = key.generate()
    key.save()
    return {"api_key": secret}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(build()), file=sys.stdout)
