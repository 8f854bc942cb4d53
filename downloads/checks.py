"""Start-up refusal: a storage configuration under which download links would not be signed.

django-storages quietly hands out plain URLs when query-string authentication
is off, or on a custom domain (CloudFront) without a CloudFront key pair to sign
with. Such a link never expires and works for whoever holds it, so a gated
download handed out as one is no longer gated. Refused in `VideosConfig.ready()`
so that the web server, runserver and every management command stop on it.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import DEFAULT_STORAGE_ALIAS, storages
from storages.backends.s3 import S3Storage


def refuse_unsigned_download_links() -> None:
    """Raise ImproperlyConfigured when the default storage is S3 and its URLs would be unsigned."""
    # A fresh instance reads the settings as they are now, not as a cached storage saw them.
    storage = storages.create_storage(storages.backends[DEFAULT_STORAGE_ALIAS])
    if not isinstance(storage, S3Storage):
        return
    if not storage.querystring_auth:
        raise ImproperlyConfigured(
            "AWS_QUERYSTRING_AUTH is False: S3 download links would be unsigned, never expire and work for anyone "
            "who has them. Leave it True (the default), so that links are presigned."
        )
    if storage.custom_domain and storage.cloudfront_signer is None:
        raise ImproperlyConfigured(
            f"AWS_S3_CUSTOM_DOMAIN={storage.custom_domain!r} is set without AWS_CLOUDFRONT_KEY_ID and "
            "AWS_CLOUDFRONT_KEY: download links on that domain would be unsigned, never expire and work for anyone "
            "who has them. Set both (the ID and PEM private key of a CloudFront key pair the distribution trusts), "
            "or unset AWS_S3_CUSTOM_DOMAIN to hand out presigned S3 links."
        )
