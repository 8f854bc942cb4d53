"""The facets of a search: how many matches per type, topic and year, over the whole match set.

Counting depends on where the matches are (the database's GROUP BY over
matched documents, or an Elasticsearch/OpenSearch aggregation, see
`search.engines`); naming the topics in the reader's language is the same
for every engine.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from cms.routing import HomeDirectory
from taxonomy.models import PageTopic, Topic

MAX_TOPIC_FACETS = 50


@dataclass
class FacetCounts:
    types: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    # (topic translation key, matches), most matches first, at most MAX_TOPIC_FACETS.
    topics: list[tuple[str, int]] = field(default_factory=list)


def count_in_database(matched) -> FacetCounts:
    """Counts over a queryset of matched `SearchDocument`s, in two GROUP BY queries."""
    matched = matched.order_by()
    counts = FacetCounts()
    # Types and years from one scan of the match set.
    for row in matched.annotate(year=ExtractYear("date")).values("page_type", "year").annotate(count=Count("page_id")):
        counts.types[row["page_type"]] = counts.types.get(row["page_type"], 0) + row["count"]
        counts.years[row["year"]] = counts.years.get(row["year"], 0) + row["count"]
    counts.topics = [
        (row["topic__translation_key"], row["count"])
        for row in PageTopic.objects.filter(page_id__in=matched.values("page_id"))
        .values("topic__translation_key")
        .annotate(count=Count("page_id", distinct=True))
        .order_by("-count", "topic__translation_key")[:MAX_TOPIC_FACETS]
    ]
    return counts


def as_response(counts: FacetCounts, locale: str | None) -> dict:
    """The `facets` of the response: types by count, years newest first, topics named in `locale` if translated."""
    ranked_types = sorted(counts.types.items(), key=lambda entry: (-entry[1], entry[0]))
    types = [{"type": label, "count": n} for label, n in ranked_types]
    years = [{"year": year, "count": n} for year, n in sorted(counts.years.items(), reverse=True)]
    wanted = HomeDirectory.load().locale_ids.get(locale) if locale else None
    best = {}
    for pk, key, locale_id, name in Topic.objects.filter(
        translation_key__in=[key for key, _count in counts.topics]
    ).values_list("pk", "translation_key", "locale_id", "name"):
        # The topic in the requested language if it exists; otherwise its lowest-id version.
        rank = (locale_id != wanted, pk)
        key = str(key)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, pk, name)
    topics = [
        {"id": best[str(key)][1], "name": best[str(key)][2], "count": n} for key, n in counts.topics if str(key) in best
    ]
    return {"type": types, "topic": topics, "year": years}


def no_facets() -> dict:
    return {"type": [], "topic": [], "year": []}
