"""Taguette beside narrata: import and highlight the same transcripts through Taguette's own
web API, as its browser client does, timed from here.

    python3 taguette_bench.py TAGUETTE_BIN CORPUS_DIR WORK_DIR FILES

Starts `taguette --no-browser` (single-user mode) on a free port with its database in WORK_DIR,
logs in with the token it prints, creates a project, uploads the first FILES transcripts of
CORPUS_DIR one request each, then highlights every paragraph containing "groep" in each of
them with the tag `group`, one request per highlight. Prints two JSON lines for
benches/run.sh: the import (seconds, files, bytes of the original Markdown) and the
highlights (count, p50 and p95 milliseconds, and the p50 in the first and last fifth of the
documents by length, to show whether a highlight costs more in a longer document).

Taguette converts every format except HTML and subtitles with Calibre, which pip does not
install; the transcripts are therefore sent as HTML, one <p> per line of the Markdown file,
written here. That conversion is not timed. Only the standard library is used.
"""
import html
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def xsrf(self):
        for c in self.jar:
            if c.name == "_xsrf":
                return c.value
        return ""

    def get(self, path):
        with self.opener.open(self.base + path) as r:
            return r.geturl(), r.read()

    def post_form(self, path, fields):
        fields = dict(fields, _xsrf=self.xsrf())
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(urllib.request.Request(self.base + path, data=data)) as r:
            return r.geturl(), r.read()

    def post_json(self, path, obj):
        req = urllib.request.Request(
            self.base + path,
            data=json.dumps(obj).encode(),
            headers={"Content-Type": "application/json", "X-XSRFToken": self.xsrf()},
        )
        with self.opener.open(req) as r:
            return json.loads(r.read() or b"{}")

    def post_file(self, path, fields, filename, body, content_type):
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode() + body + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        req = urllib.request.Request(
            self.base + path,
            data=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-XSRFToken": self.xsrf(),
            },
        )
        with self.opener.open(req) as r:
            return json.loads(r.read() or b"{}")


def as_html(markdown):
    """One paragraph per non-empty line (front matter dropped), and each paragraph's text
    offsets in the document's text as Taguette counts them (characters of the text nodes)."""
    text = markdown
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            text = text[end + 5 :]
    paragraphs, offsets, at = [], [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        paragraphs.append(f"<p>{html.escape(line, quote=False)}</p>")
        offsets.append((at, at + len(line), line))
        at += len(line)
    return "<html><body>" + "".join(paragraphs) + "</body></html>", offsets


def main(taguette, corpus, work, files):
    os.makedirs(work, exist_ok=True)
    port = free_port()
    log = open(os.path.join(work, "taguette.log"), "w")
    server = subprocess.Popen(
        [taguette, "--no-browser", "--port", str(port), "--database", os.path.join(work, "taguette.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        url = None
        deadline = time.time() + 120
        while time.time() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            m = re.search(r"(http://\S+\?token=\S+)", line)
            if m:
                url = m.group(1)
                break
        if not url:
            raise SystemExit("taguette did not start (see taguette.log)")
        base = f"http://localhost:{port}"
        c = Client(base)
        c.get(url[len(base) :])  # the token logs in
        c.get("/project/new")  # sets the _xsrf cookie
        final, _ = c.post_form("/project/new", {"name": "bench", "description": ""})
        project = int(re.search(r"/project/(\d+)", final).group(1))
        names = sorted(n for n in os.listdir(corpus) if n.endswith(".md"))[:files]
        prepared = []
        size = 0
        for n in names:
            raw = open(os.path.join(corpus, n), "rb").read()
            size += len(raw)
            page, offsets = as_html(raw.decode("utf-8"))
            prepared.append((n, page.encode("utf-8"), offsets))
        t = time.perf_counter()
        docs = []
        for n, page, offsets in prepared:
            r = c.post_file(
                f"/api/project/{project}/document/new",
                {"name": n, "description": ""},
                n.replace(".md", ".html"),
                page,
                "text/html",
            )
            docs.append((r["created"], offsets))
        imported = time.perf_counter() - t
        print(json.dumps({"step": "taguette_import", "seconds": imported, "files": len(names), "bytes": size}))
        tag = c.post_json(f"/api/project/{project}/tag/new", {"path": "group", "description": ""})["id"]
        times = []  # (document length, ms)
        for doc, offsets in docs:
            length = offsets[-1][1] if offsets else 0
            for start, end, line in offsets:
                if re.search(r"\bgroep\b", line, re.IGNORECASE):
                    t = time.perf_counter()
                    c.post_json(
                        f"/api/project/{project}/document/{doc}/highlight/new",
                        {"start_offset": start, "end_offset": end, "tags": [tag]},
                    )
                    times.append((length, (time.perf_counter() - t) * 1000))
        ms = sorted(x for _, x in times)
        by_length = sorted(times)
        fifth = max(1, len(by_length) // 5)
        print(
            json.dumps(
                {
                    "step": "taguette_highlights",
                    "highlights": len(ms),
                    "documents": len(docs),
                    "p50_ms": statistics.median(ms) if ms else None,
                    "p95_ms": ms[int(0.95 * (len(ms) - 1))] if ms else None,
                    "p50_short_ms": statistics.median(x for _, x in by_length[:fifth]) if ms else None,
                    "p50_long_ms": statistics.median(x for _, x in by_length[-fifth:]) if ms else None,
                }
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
