import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.caching import invalidate_everything
from home.demo.generator import IMAGE_POOL_SIZE, ContentGenerator
from home.demo.loading import StoredFiles, quiet_wagtail_logs


class Command(BaseCommand):
    help = (
        "Add N synthetic English pages of each type under the English sections, each with a published French "
        "translation, for benchmarks. Deterministic for a given --seed. Builds the site tree first if needed. "
        f"Articles take their lead picture from a pool of {IMAGE_POOL_SIZE} generated once. "
        "Pages are committed 100 at a time: an interrupted run keeps the batches already done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--news", type=int, default=0, metavar="N", help="news articles to add")
        parser.add_argument("--interviews", type=int, default=0, metavar="N", help="interviews to add")
        parser.add_argument("--videos", type=int, default=0, metavar="N", help="video pages to add")
        parser.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same content")

    def handle(self, *args, news, interviews, videos, seed, verbosity, **options):
        counts = {"news": news, "interviews": interviews, "videos": videos}
        if any(count < 0 for count in counts.values()):
            raise CommandError("--news, --interviews and --videos take a number of pages, 0 or more.")
        started = time.monotonic()
        files = StoredFiles()
        with quiet_wagtail_logs(verbosity):
            generator = ContentGenerator(seed=seed, log=self.stdout.write, files=files)
            try:
                generator.prepare(videos=videos > 0, images=news > 0)
            except BaseException:
                files.delete_all()
                raise
            total = 0
            for kind, count in counts.items():
                if not count:
                    continue
                with tqdm(total=count, desc=kind, unit="page", disable=verbosity == 0) as bar:
                    generator.generate(kind, count, on_page=lambda: bar.update(1))
                total += count
        # Pages were written in bulk, without publish signals: tell the API cache.
        invalidate_everything()
        elapsed = time.monotonic() - started
        rate = 2 * total / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {total} English pages and their {total} French translations in {elapsed:.1f} s "
                f"({rate:.1f} pages/s, translations included)."
            )
        )
