"""Getting at a stored file as a local path, whatever the storage.

ffmpeg and PyAV read paths. On the file system the stored file is used in
place; on S3 it is downloaded to a temporary file first, and that copy is
removed afterwards.
"""

import contextlib
import hashlib
import shutil
import tempfile
from pathlib import Path

CHUNK_SIZE = 4 * 1024 * 1024


@contextlib.contextmanager
def local_path(field_file):
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass  # remote storage: no path() on it
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with field_file.open("rb") as source:
            shutil.copyfileobj(source, copy, CHUNK_SIZE)
        copy.flush()
        yield Path(copy.name)


@contextlib.contextmanager
def uploaded_file_path(upload):
    """The path of an upload Django is still holding, spilling small in-memory uploads to disk."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as copy:
        upload.seek(0)
        for chunk in upload.chunks(CHUNK_SIZE):
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield Path(copy.name)


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
