"""The uploaders bench/uploads.py times: a tus client as the admin's, a sendfile() PUT, and `curl -T`.

Each request goes on a new connection (gunicorn's sync workers close them),
its body sent with sendfile() so that the client costs little next to the
server it measures.
"""

import base64
import http.client
import socket
import subprocess
import time
from pathlib import Path


def send(port: int, method: str, target: str, headers: dict, body=None, offset: int = 0, count: int = 0):
    """One request on a new connection, its body (`count` bytes of `body` from `offset`) sent with sendfile()."""
    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {count}"]
        lines += [f"{name}: {value}" for name, value in headers.items()] + ["Connection: close", "", ""]
        sock.sendall("\r\n".join(lines).encode())
        if count:
            sock.sendfile(body, offset, count)
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {target}: HTTP {response.status} {answer[:300]!r}")
    return response


def tus_upload(port: int, master: Path, chunk: int, editor: dict) -> float:
    """Seconds from the creation of the upload to the answer to its last PATCH."""
    size = master.stat().st_size
    metadata = f"filename {base64.b64encode(master.name.encode()).decode()}"
    started = time.perf_counter()
    created = send(port, "POST", "/uploads/videos/tus/", {**editor, "Upload-Length": size, "Upload-Metadata": metadata})
    target = "/" + created.getheader("Location").split("/", 3)[3]
    headers = {**editor, "Content-Type": "application/offset+octet-stream"}
    with master.open("rb") as body:
        for offset in range(0, size, chunk):
            count = min(chunk, size - offset)
            answer = send(port, "PATCH", target, {**headers, "Upload-Offset": offset}, body, offset, count)
            if int(answer.getheader("Upload-Offset")) != offset + count:
                raise RuntimeError(f"tus: the server is at {answer.getheader('Upload-Offset')}, not {offset + count}")
    return time.perf_counter() - started


def sendfile_put(port: int, master: Path) -> float:
    size = master.stat().st_size
    started = time.perf_counter()
    with master.open("rb") as body:
        send(port, "PUT", f"/{master.name}", {}, body, 0, size)
    return time.perf_counter() - started


def curl_put(port: int, master: Path) -> float:
    size = master.stat().st_size
    output = subprocess.run(  # noqa: S603
        ["curl", "-s", "-o", "/dev/null", "-T", str(master), "-w", "%{http_code} %{size_upload} %{time_total}",  # noqa: S607
         f"http://127.0.0.1:{port}/{master.name}"],
        capture_output=True, text=True, timeout=1800, check=True,
    ).stdout.split()  # fmt: skip
    status, sent, seconds = int(output[0]), int(output[1]), float(output[2])
    if (status, sent) != (201, size):
        raise RuntimeError(f"curl -T: HTTP {status}, {sent} bytes of {size}")
    return seconds
