"""The plain static upload endpoint bench/uploads.py compares the tus path with: a request body streamed to disk.

A WSGI application served by the same gunicorn as the project: a PUT (what
`curl -T` sends) or a PATCH writes its body to UPLOAD_SINK_DIR under the last
part of its path, in pieces of the size the tus view reads (videos/files.py's
CHUNK_SIZE), and answers 201 with the number of bytes written. No framework,
no database, no checks: the floor the tus path is measured against.

    gunicorn --pythonpath bench upload_sink:application
"""

import os
from pathlib import Path

CHUNK_SIZE = 4 * 1024 * 1024  # as videos/files.py: bench/ is not on the project's import path
SINK = Path(os.environ.get("UPLOAD_SINK_DIR", "/tmp/upload-sink"))  # noqa: S108  (the bench always sets it)


def application(environ, start_response):
    name = Path(environ.get("PATH_INFO", "")).name
    if environ["REQUEST_METHOD"] not in ("PUT", "PATCH") or not name:
        start_response("405 Method Not Allowed", [("Allow", "PUT, PATCH"), ("Content-Length", "0")])
        return [b""]
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"]
    with open(SINK / name, "wb") as sink:
        while remaining and (chunk := body.read(min(CHUNK_SIZE, remaining))):
            sink.write(chunk)
            remaining -= len(chunk)
        written = sink.tell()
    answer = f"{written}\n".encode()
    start_response("201 Created", [("Content-Type", "text/plain"), ("Content-Length", str(len(answer)))])
    return [answer]
