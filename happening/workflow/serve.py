"""``serve`` the built site locally, and ``livereload``: rebuild and reload while writing.

The server is ``siteserver.py`` for both (clean URLs, the theme's 404 page with status 404); the
live preview adds ``livepreview.py`` (watch, rebuild, never drop a save) and ``reload.py`` (the
reload script, its event stream and the error page), none of which touches the built files.
"""

import logging
import os
import sys
import threading
from pathlib import Path

from happening.build import DEV_SETTINGS
from happening.errors import UserError

from .livepreview import LivePreview
from .siteserver import make_server

log = logging.getLogger(__name__)

# Drafts are previewed at /drafts/<slug>/ while writing; they never reach a production build.
DRAFT_PREVIEW = {"DRAFT_SAVE_AS": "drafts/{slug}/index.html"}
# The live preview keeps fastbuild's page records in its own memory between builds.
LIVE = {"FASTBUILD_KEEP_IN_MEMORY": True}


def _listen(what, output, host, port, live=None):
    try:
        return make_server(output, host, port, live)
    except OSError as exc:
        message = f"{what}: cannot listen on {host}:{port} ({exc.strerror}); try --port"
        raise UserError(message) from exc


def serve(output: Path, host: str = "127.0.0.1", port: int = 8000):
    """Serve ``output`` until Ctrl-C; a missing page gets the theme's 404 page."""
    if not Path(output).is_dir():
        raise UserError(f"serve: {output} does not exist yet; run `./inv build` first")
    with _listen("serve", output, host, port) as server:
        log.warning("Serving %s at http://%s:%s/ (Ctrl-C stops)", output, host, port)
        server.serve_forever()


def _restart():
    """Our own code changed: run the same command again in a fresh interpreter."""
    os.execv(sys.executable, [sys.executable, *sys.argv])


def start_livereload(
    settings_file=DEV_SETTINGS, host="127.0.0.1", port=8000, drafts=True, restart=None, **overrides
):
    """Build, then serve and rebuild on every change, in background threads.

    Returns ``(preview, server)``; :func:`stop_livereload` ends both. The server is listening
    before the first build, so a taken port fails at once.
    """
    overrides = {**LIVE, **(DRAFT_PREVIEW if drafts else {}), **overrides}
    preview = LivePreview(settings_file, restart=restart, **overrides)
    output = preview.sources.output
    output.mkdir(parents=True, exist_ok=True)
    server = _listen("livereload", output, host, port, preview.hooks)
    # The subscribe page prints feed addresses a reader can paste: this server's, whatever port.
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    preview.overrides.setdefault("FEEDS_LOCAL_URL", f"http://{shown}:{server.server_address[1]}")
    preview.start()
    thread = threading.Thread(target=server.serve_forever, name="livereload-server", daemon=True)
    thread.start()
    return preview, server


def stop_livereload(preview, server):
    preview.stop()
    server.shutdown()
    server.server_close()


def livereload(host: str = "127.0.0.1", port: int = 8000, drafts: bool = True):
    """Build, serve and rebuild on every change to content, theme, plugins or settings."""
    preview, server = start_livereload(host=host, port=port, drafts=drafts, restart=_restart)
    log.warning("Live preview at http://%s:%s/ (Ctrl-C stops)", host, server.server_address[1])
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_livereload(preview, server)
