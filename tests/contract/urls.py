"""The project's URLs plus an `/api/` view that fails, for the error-answer tests."""

from django.urls import path

from cms.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("secret detail that must not reach the client")


urlpatterns = [path("api/v1/test-failure/", fail), *project_urlpatterns]
