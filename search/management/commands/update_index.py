from tqdm import tqdm
from wagtail.search.management.commands.update_index import Command as WagtailUpdateIndex

from search.api_backend import api_backend_name
from search.index import rebuild


class Command(WagtailUpdateIndex):
    help = (
        "Rebuild every search index: the portal's per-language index behind /api/v1/search/, with a progress "
        "bar, then Wagtail's backends (admin search, API v2 `?search=`, and /api/v1/search/ when "
        "SEARCH_API_BACKEND names one of them)."
    )

    def handle(self, **options):
        self.verbosity = options["verbosity"]
        backend_name = options["backend_name"]
        if backend_name in (None, "portal") and not options.get("schema_only"):
            # The portal's documents first, so that a Wagtail backend serving the API is rebuilt from fresh
            # ones; when it is rebuilt whole next, it need not receive them batch by batch as well.
            rebuilt_next = backend_name is None and api_backend_name() is not None
            total = rebuild(self._progress(quiet=options["verbosity"] == 0), mirror=not rebuilt_next)
            self.write(f"portal: indexed {total} pages")
        super().handle(**options)

    def _progress(self, quiet: bool):
        def progress(batches, pages, label):
            # To the command's own stream (not an OutputWrapper, which would end each redraw with a newline).
            bar = tqdm(total=pages, desc=f"portal: {label}", unit="page", disable=quiet, file=self.stderr._out)
            for batch in batches:
                yield batch
                bar.update(len(batch))
            bar.close()

        return progress
