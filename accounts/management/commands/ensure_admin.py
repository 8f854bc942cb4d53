import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first administrator if there is none, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="admin@localhost")
        parser.add_argument(
            "--password",
            default="",
            help="Password for a new administrator (default: a random one, printed once).",
        )

    def handle(self, *, email, password, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"Administrator: {existing.email} (password unchanged; set a new one with "
                f"`python manage.py changepassword {existing.email}`)"
            )
            return
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(email=email, password=password, first_name="Site", last_name="Administrator")
        self.stdout.write(self.style.SUCCESS(f"Administrator created: {email} / {password}"))
