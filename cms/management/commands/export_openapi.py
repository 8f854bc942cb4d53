"""Write the API's OpenAPI documents to the files the front end generates its typed client from."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

# Served documents, not the NinjaAPI object: only cms.urls may import the API
# assembly, and the served document is exactly what a front end would fetch.
DOCUMENTS = {
    "api.json": "/api/v1/openapi.json",
    "allauth.json": "/_allauth/openapi.json",
}
DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "frontend" / "openapi"


def render(document):
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = (
        "Write the OpenAPI documents of /api/v1/ and of allauth headless to frontend/openapi/ "
        "(the front end's typed client is generated from them). With --check, write nothing and fail "
        "when a checked-in document differs from what the API serves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
        parser.add_argument("--check", action="store_true", help="Fail when a file is stale; write nothing.")

    def handle(self, *, directory, check, **options):
        client = Client()
        stale = []
        for name, url in DOCUMENTS.items():
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}.")
            text = render(response.json())
            target = directory / name
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current == text:
                continue
            if check:
                stale.append(str(target))
            else:
                directory.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                self.stdout.write(f"Wrote {target}.")
        if stale:
            raise CommandError(
                f"Stale OpenAPI documents: {', '.join(stale)}. Run `manage.py export_openapi` "
                "and `npm run generate` in frontend/."
            )
        if check:
            self.stdout.write("The OpenAPI documents are up to date.")
