"""gzip for the public JSON answers of `/api/`, and only for them.

Compression leaks the length of a secret sent in the same body as text an
attacker can make the server repeat (BREACH). So only answers marked
`Cache-Control: public` are compressed: public answers hold no secret by
definition (anyone may read them, through any shared cache). Left alone:
answers for a signed-in caller (`private`: their profile, download links and
job ids, the caller-dependent page variants), answers that set a cookie or
carry no cache control at all (errors, session and CSRF matters), and
everything outside `/api/`, such as allauth's `/_allauth/` answers with their
session tokens. Django's middleware also adds random bytes to each gzip
header (Heal the BREACH), and makes a strong ETag weak, as the compressed
body is another representation (RFC 9110 8.8.1); the cache compares
`If-None-Match` weakly, so a 304 works for either encoding.
"""

from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

_JSON = _lazy_re_compile(r"^application/([\w.+-]+\+)?json\b")


def _compressible(request, response) -> bool:
    if not request.path.startswith("/api/") or response.cookies:
        return False
    directives = {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}
    # A 304 has no Content-Type: it stands for the JSON a 200 would send.
    is_json = response.status_code == 304 or bool(_JSON.match(response.get("Content-Type", "")))
    return "public" in directives and is_json


class PublicApiGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not _compressible(request, response):
            return response
        if response.status_code == 304:
            # The 304 stands for the representation a 200 would send, whose
            # ETag the client holds weak when it was compressed: say so too.
            patch_vary_headers(response, ("Accept-Encoding",))
            etag = response.get("ETag", "")
            if etag.startswith('"') and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
                response["ETag"] = "W/" + etag
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        return super().process_response(request, response)
