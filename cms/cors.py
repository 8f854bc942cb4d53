"""Cross-origin requests: browsers may call the API only from the origins of active front ends.

django-cors-headers has no static allow-list here (`CORS_ALLOWED_ORIGINS =
[]`): it asks its `check_request_enabled` signal, answered below from the
front-end registry. The set of origins is cached, so a request costs no
query, and dropped whenever a front end is saved or deleted, so editing the
registry takes effect at once.
"""

import logging
import re

from corsheaders.conf import conf
from corsheaders.signals import check_request_enabled
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import FrontEnd, normalise_origin

logger = logging.getLogger(__name__)

ORIGINS_CACHE_KEY = "cms:cors:front-end-origins"
# Saves and deletes drop the set at once; the expiry bounds how long a
# change no signal reports (a queryset update(), or a local-memory cache in
# another process) can go unnoticed.
ORIGINS_CACHE_SECONDS = 60


def front_end_origins() -> frozenset[str]:
    """The normalised origins of every active front end."""
    origins = cache.get(ORIGINS_CACHE_KEY)
    if origins is None:
        origins = frozenset(_normalised(FrontEnd.objects.allowed_origins()))
        cache.set(ORIGINS_CACHE_KEY, origins, ORIGINS_CACHE_SECONDS)
    return origins


def _normalised(values):
    # The admin form normalises origins; rows written another way may not be.
    for value in values:
        try:
            yield normalise_origin(value)
        except ValueError:
            logger.warning("Ignoring %r in the front-end registry: it is not an origin.", value)


@receiver(check_request_enabled, dispatch_uid="cms_cors_front_end_origins")
def allow_front_end_origin(sender, request, **kwargs) -> bool:
    # django-cors-headers also asks this signal whether CORS applies to a
    # path at all: answering yes outside CORS_URLS_REGEX would open the admin,
    # cookies included, to every front end.
    if not re.match(conf.CORS_URLS_REGEX, request.path_info):
        return False
    origin = request.headers.get("Origin")
    if not origin:
        return False
    try:
        origin = normalise_origin(origin)
    except ValueError:  # "null", or not an origin at all
        return False
    return origin in front_end_origins()


@receiver([post_save, post_delete], sender=FrontEnd, dispatch_uid="cms_cors_front_end_changed")
def _front_end_changed(sender, instance, **kwargs):
    cache.delete(ORIGINS_CACHE_KEY)
    # A request running meanwhile may cache the old set again before this
    # transaction commits: drop it once more then.
    transaction.on_commit(lambda: cache.delete(ORIGINS_CACHE_KEY))
