/**
 * The reader's best language among `supported`, from an Accept-Language header (RFC 9110 §12.5.4).
 *
 * Browsers list their languages with weights ("en-GB,en;q=0.9,fr;q=0.8"), and a reader who reads French
 * first may still put English before it with a lower weight ("en;q=0.4, fr;q=0.9"): taking the first entry
 * sends them to the wrong language. So the entries are ranked by their q-value (the header's order breaks
 * ties, as the RFC says nothing else), a q of 0 means "not this one", and a regional tag ("fr-CA") counts for
 * its language. "*", a missing header and a header with nothing we serve all give `fallback`.
 */
export function negotiateLanguage<T extends string>(header: string | null | undefined, supported: readonly T[], fallback: T): T {
  const ranked = (header ?? "")
    .split(",")
    .map((entry, index) => ({ ...parseEntry(entry), index }))
    .filter((entry) => entry.tag !== "" && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === "*") return fallback;
    const language = tag.split("-")[0];
    const match = supported.find((candidate) => candidate === language);
    if (match !== undefined) return match;
  }
  return fallback;
}

// A qvalue is 0 to 1 with at most three decimals; an entry whose weight is malformed is dropped (q = 0)
// rather than guessed at, and so is a tag that is not letters, digits and hyphens.
const TAG = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

function parseEntry(entry: string): { tag: string; q: number } {
  const [rawTag, ...params] = entry.split(";");
  const tag = rawTag.trim().toLowerCase();
  if (!TAG.test(tag)) return { tag: "", q: 0 };
  let q = 1;
  for (const param of params) {
    const [name, value = ""] = param.split("=").map((part) => part.trim());
    if (name.toLowerCase() === "q") q = QVALUE.test(value) ? Number(value) : 0;
  }
  return { tag, q };
}
