from tqdm import tqdm
from wagtail.search.management.commands.update_index import Command as WagtailUpdateIndex

from search.index import rebuild


class Command(WagtailUpdateIndex):
    help = (
        "Rebuild every search index: Wagtail's backends (admin search, API v2 `?search=`), then the portal's "
        "per-language index behind /api/v1/search/, with a progress bar."
    )

    def handle(self, **options):
        super().handle(**options)
        if options["backend_name"] not in (None, "portal") or options.get("schema_only"):
            return
        quiet = options["verbosity"] == 0

        def progress(batches, pages, label):
            # To the command's own stream (not an OutputWrapper, which would end each redraw with a newline).
            bar = tqdm(total=pages, desc=f"portal: {label}", unit="page", disable=quiet, file=self.stderr._out)
            for batch in batches:
                yield batch
                bar.update(len(batch))
            bar.close()

        total = rebuild(progress)
        self.write(f"portal: indexed {total} pages")
