"""The reference portal (frontend/) as the demo registers it in the front-end registry (`cms.models.FrontEnd`).

Its origins may call the API; Wagtail's Preview opens drafts on its `/preview` route; content changes are
sent to its webhook receiver (`/api/revalidate`). Where it runs (`ACCOUNTS_FRONTEND_URL`, where account
e-mails link to as well), the secret its receiver verifies webhooks with (`DEMO_PORTAL_WEBHOOK_SECRET`) and
an API key with the preview scope (`DEMO_PORTAL_API_KEY`) come from settings, so that the portal can be started
with the same values (`CMS_WEBHOOK_SECRET`, `CMS_API_KEY`; frontend/e2e/run.sh does). Loading again changes
nothing unless they did.
"""

from django.conf import settings
from wagtail.models import Site

from cms.models import FrontEnd, FrontEndAPIKey

NAME = "Reference portal"


def portal_settings() -> tuple[str, str, str]:
    url = getattr(settings, "ACCOUNTS_FRONTEND_URL", "http://localhost:3000").rstrip("/")
    return url, getattr(settings, "DEMO_PORTAL_WEBHOOK_SECRET", ""), getattr(settings, "DEMO_PORTAL_API_KEY", "")


def register_portal(note) -> FrontEnd:
    """Create or update the portal's entry; `note(kind, what, created)` reports what was done."""
    url, secret, key = portal_settings()
    site = Site.objects.get(is_default_site=True)
    front_end, created = FrontEnd.objects.get_or_create(
        name=NAME, defaults={"site": site, "origins": "http://127.0.0.1:3000\nhttp://localhost:3000"}
    )
    wanted = {"preview_url": f"{url}/preview", "webhook_url": f"{url}/api/revalidate"}
    if url not in front_end.origin_list:
        wanted["origins"] = "\n".join([*front_end.origin_list, url])
    if secret:
        wanted["webhook_secret"] = secret
    changed = [name for name, value in wanted.items() if getattr(front_end, name) != value]
    for name in changed:
        setattr(front_end, name, wanted[name])
    if changed:
        front_end.full_clean()
        front_end.save(update_fields=changed)
    note("front ends", f"the reference portal on {url} (preview, webhooks)", created)
    if key:
        created_key = _register_key(front_end, key)
        note("front ends", "the reference portal's preview API key (DEMO_PORTAL_API_KEY)", created_key)
    return front_end


def _register_key(front_end: FrontEnd, key: str) -> bool:
    parsed = FrontEndAPIKey.parse(key)
    if parsed is None:
        raise ValueError("DEMO_PORTAL_API_KEY must look like fe_<16 hexadecimal digits>_<secret>.")
    lookup_id, secret = parsed
    _key, created = FrontEndAPIKey.objects.update_or_create(
        lookup_id=lookup_id,
        defaults={
            "front_end": front_end,
            "name": "demo portal (DEMO_PORTAL_API_KEY)",
            "digest": FrontEndAPIKey.digest_of(secret),
            "can_read": True,
            "can_preview": True,
            "revoked_at": None,
        },
    )
    return created
