from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.api import api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    # allauth headless: sign-up, codes, log-in, sessions, its OpenAPI specification.
    path("_allauth/", include("accounts.urls")),
    path("uploads/videos/tus/", include("videos.tus")),  # resumable master uploads (videos/tus.py)
    path("uploads/videos/s3/", include("videos.multipart")),  # S3 multipart master uploads (videos/multipart.py)
    path("downloads/files/", include("downloads.streaming")),  # signed download links (downloads/streaming.py)
    # Headless: pages are rendered by the front ends, not here, so Wagtail's
    # page-serving URLs are deliberately not mounted.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
