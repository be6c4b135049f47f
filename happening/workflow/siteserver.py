"""The local web server for ``serve`` and ``livereload``: the built site, and the theme's 404.

Clean URLs as on a static host: ``/posts/x/`` is ``posts/x/index.html``; a missing path gets the
site's own ``404.html`` with status 404 (a bare status line if the theme wrote none).

For the live preview a :class:`LiveHooks` object is attached: it adds a reload script to each
HTML page *as it is sent* (the files on disk stay exactly what a build writes, so nothing of it
can reach production), answers the script's event stream, and, while the last build failed,
answers every page with the error page instead.
"""

import logging
import os
import urllib.parse
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)

NOT_FOUND_PAGE = "404.html"


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves ``directory``; ``live`` (a :class:`LiveHooks`, or None) adds the live preview."""

    live = None

    def __init__(self, *args, live=None, **kwargs):
        self.live = live
        super().__init__(*args, **kwargs)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if self.live is not None and path == self.live.EVENTS_PATH:
            self.live.stream_events(self)
            return
        target = self._file_for(path)
        if target is None and not path.endswith("/") and os.path.isdir(self.translate_path(path)):
            self._redirect(path + "/")  # As a static host does: /posts/x -> /posts/x/
            return
        if self.live is not None and self.live.failed() and (target is None or _is_html(target)):
            self._send_html(HTTPStatus.INTERNAL_SERVER_ERROR, self.live.error_page())
            return
        if target is None:
            self._not_found()
        elif _is_html(target) and self.live is not None:
            self._send_html(HTTPStatus.OK, self.live.inject(Path(target).read_bytes()))
        else:
            super().do_GET()

    def do_HEAD(self):
        target = self._file_for(urllib.parse.urlsplit(self.path).path)
        if target is None:
            self.send_response(HTTPStatus.NOT_FOUND)
            self.end_headers()
        else:
            super().do_HEAD()

    def _file_for(self, url_path):
        """The file ``url_path`` names (a folder means its index.html), or None."""
        local = self.translate_path(url_path)
        if os.path.isdir(local):
            local = os.path.join(local, "index.html")
            if not url_path.endswith("/"):
                return None
        return local if os.path.isfile(local) else None

    def _not_found(self):
        page = Path(self.directory) / NOT_FOUND_PAGE
        if not page.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = page.read_bytes()
        self._send_html(HTTPStatus.NOT_FOUND, self.live.inject(body) if self.live else body)

    def _redirect(self, location):
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_html(self, status, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        if self.live is not None:  # A preview shows the newest build, never a kept copy.
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's parameter name.
        log.debug("%s %s", self.address_string(), format % args)


def _is_html(path):
    return path.endswith((".html", ".htm"))


class SiteServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True  # An open event stream never keeps the process from exiting.


def make_server(root, host="127.0.0.1", port=8000, live=None) -> SiteServer:
    """A threaded server for the folder ``root`` (port 0 picks a free one)."""
    return SiteServer((host, port), partial(SiteHandler, directory=str(root), live=live))
