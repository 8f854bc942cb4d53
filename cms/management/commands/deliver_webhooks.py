from django.core.management.base import BaseCommand

from cms.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due: first attempts that were never run and retries whose "
        "backoff has passed. Run it from cron every few minutes; it never sends a delivered message again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Attempt at most this many deliveries.")

    def handle(self, *, limit, **options):
        counts = deliver_due(limit=limit)
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "nothing was due"
        self.stdout.write(f"Webhook deliveries attempted ({summary}).")
