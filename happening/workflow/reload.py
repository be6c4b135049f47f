"""What the live preview tells the browser: a new build is ready, or the build failed and why.

Our own reload channel replaces the ``livereload`` library, which drops any reload within 3 s of
the previous one (a typo saved, then its fix 1.5 s later, left the typo on screen) and cannot
show an error page. Here each build gets an id; every page is sent with a small script that
knows the id it was served under and listens on a server-sent-events stream
(:attr:`LiveHooks.EVENTS_PATH`). The stream sends the current id on connect and again after
every build, good or failed; the script reloads whenever the id differs from its own. So a build
that finishes while the page is still loading is not missed either: the first event already
differs.
"""

import html
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from happening.errors import ContentError, UserError

# How long the browser waits before reconnecting a dropped stream (the server restarted).
RECONNECT_MS = 200


@dataclass(frozen=True)
class Failure:
    """A failed build as the writer sees it: the message, and where in the sources."""

    message: str
    source: str | None = None  # From the project folder (content/posts/x.md), when known.
    line: int | None = None


class LiveHooks:
    """The build id, the reload script and the error page, shared by the builder and server."""

    EVENTS_PATH = "/__happening/reload"

    def __init__(self):
        # A fresh prefix per process: after a restart every open page differs and reloads.
        self._prefix = uuid.uuid4().hex[:8]
        self._count = 0
        self._failure: Failure | None = None
        self._changed = threading.Condition()
        self._closed = False

    # -- The builder's side ----------------------------------------------------------------------
    def built(self, failure: Failure | None = None):
        """A build finished (``failure`` says why it failed): every open page reloads."""
        with self._changed:
            self._count += 1
            self._failure = failure
            self._changed.notify_all()

    def close(self):
        """Ends every open stream (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait(self, condition, timeout) -> bool:
        """Wait until ``condition()`` holds, checking it after every build (tests, the bench)."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    @property
    def build_id(self) -> str:
        return f"{self._prefix}-{self._count}"

    def failed(self) -> bool:
        return self._failure is not None

    # -- The server's side -----------------------------------------------------------------------
    def inject(self, page: bytes) -> bytes:
        """``page`` with the reload script before ``</body>`` (or at the end)."""
        script = _SCRIPT.replace("BUILD_ID", self.build_id).replace("EVENTS_PATH", self.EVENTS_PATH)
        at = page.rfind(b"</body>")
        if at < 0:
            return page + script.encode()
        return page[:at] + script.encode() + page[at:]

    def error_page(self) -> bytes:
        failure = self._failure or Failure("The build failed.")
        where = ""
        if failure.source:
            # file:line, as the terminal shows it (and as editors open it), then in words.
            at = f"{failure.source}:{failure.line}" if failure.line else failure.source
            where = f"<p class=where>In <code>{html.escape(at)}</code>"
            where += f", line {failure.line}" if failure.line else ""
            where += "</p>"
        page = _ERROR_PAGE.format(where=where, message=html.escape(failure.message))
        return self.inject(page.encode())

    def stream_events(self, handler):
        """Answer one event-stream request: the id now, then after every build, until closed."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        sent = None
        try:
            handler.wfile.write(f"retry: {RECONNECT_MS}\n\n".encode())
            while True:
                with self._changed:
                    # The timeout only lets a comment probe for a browser that went away.
                    self._changed.wait_for(
                        lambda sent=sent: self._closed or self.build_id != sent, timeout=15
                    )
                    if self._closed:
                        return
                    current = self.build_id
                if current == sent:
                    handler.wfile.write(b": still here\n\n")
                else:
                    handler.wfile.write(f"data: {current}\n\n".encode())
                    sent = current
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # The page was closed or reloaded.


_SCRIPT = """<script>/* live preview: not in the built files */
(function () {
  var served = "BUILD_ID";
  var events = new EventSource("EVENTS_PATH");
  events.onmessage = function (event) {
    if (event.data !== served) { events.close(); location.reload(); }
  };
})();
</script>"""

_ERROR_PAGE = """<!doctype html>
<html lang=en><head><meta charset=utf-8><title>Build failed</title>
<meta name=viewport content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; }}
body {{ padding: 0 1rem; }}
h1 {{ color: #b00020; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: 1rem; border-left: 4px solid #b00020; }}
@media (prefers-color-scheme: dark) {{
  /* The light scheme's red is 2.6:1 on this background; this one is over 6:1 (WCAG AA). */
  body {{ background: #111; color: #eee; }} pre {{ background: #222; border-color: #ff7a8a; }}
  h1 {{ color: #ff7a8a; }}
}}
</style></head>
<body><main>
<h1>The build failed</h1>
{where}
<pre id=build-error>{message}</pre>
<p>Fix it and save: this page reloads with the next build.</p>
</main></body></html>
"""


# -- Where a failure points -----------------------------------------------------------------------
def failure_for(error: Exception, site: Path) -> Failure:
    """What the error page shows for ``error``, raised by a build of the content in ``site``.

    An error about one post (:class:`ContentError`, what our plugins raise) and a failed build's
    located problems (``BuildError.problems``) say where they are; only an error that does not is
    located from its text, by :func:`locate`. So the page names the post's file, never the
    plugin that noticed.
    """
    message = str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
    if isinstance(error, ContentError):
        return Failure(message, error.source, error.line)
    for problem in getattr(error, "problems", ()):
        if problem.source:
            return Failure(message, problem.source, problem.line)
    return locate(message, site)


# Content files only: a message that names a plugin's .py names who noticed, not what to fix.
_SOURCE = re.compile(r"[\w./\\-]+\.(?:md|markdown|mkd|rst|html|htm)\b")
_LINE = re.compile(r"\bline (\d+)|:(\d+)\b")
_QUOTED = re.compile(r"""['"]([^'"\n]{2,80})['"]""")


def locate(message: str, site: Path) -> Failure:
    """A failure for ``message``: the first source file it names under ``site``, and the line.

    The line is the one the message gives, else the first line of the file holding a value the
    message quotes (Pelican's messages quote the bad value, as in ``Date: 'not-a-date'``).
    """
    site = Path(site)
    for match in _SOURCE.finditer(message):
        path = _resolve(match.group(0), site)
        if path is None:
            continue
        rest = message[match.end() : match.end() + 12]
        number = _LINE.match(rest.lstrip(", "))
        line = int(next(g for g in number.groups() if g)) if number else _quoted_line(message, path)
        return Failure(message, path.relative_to(site.resolve().parent).as_posix(), line)
    return Failure(message)


def _resolve(name, site):
    candidate = Path(name)
    for path in (candidate, site / candidate):
        try:
            path = path.resolve()
        except OSError:
            continue
        if path.is_file() and site.resolve() in path.parents:
            return path
    # Pelican sometimes names a file by its base name only.
    found = sorted(site.rglob(candidate.name)) if candidate.name == name else []
    return found[0].resolve() if len(found) == 1 else None


def _quoted_line(message, path):
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for value in _QUOTED.findall(message):
        for number, text in enumerate(lines, 1):
            if value in text:
                return number
    return None
