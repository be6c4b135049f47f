"""Serve the built site locally, and rebuild + reload the browser while writing."""

import logging
import shutil
from functools import partial
from pathlib import Path

from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

from happening.build import DEV_SETTINGS, ROOT, build, load_settings
from happening.errors import UserError

log = logging.getLogger(__name__)

# Everything a build reads: a change to any of them is worth a rebuild.
WATCHED = ("content", "theme", "plugins", "happening", "pelicanconf.py", "publishconf.py")


def serve(output: Path, host: str = "127.0.0.1", port: int = 8000):
    """Serve ``output`` with Pelican's handler (it maps /posts/x/ to /posts/x/index.html)."""
    if not Path(output).is_dir():
        raise UserError(f"serve: {output} does not exist yet; run `invoke build` first")
    RootedHTTPServer.allow_reuse_address = True
    try:
        server = RootedHTTPServer(str(output), (host, port), ComplexHTTPRequestHandler)
    except OSError as exc:
        raise UserError(
            f"serve: cannot listen on {host}:{port} ({exc.strerror}); try --port"
        ) from exc
    log.warning("Serving %s at http://%s:%s/ (Ctrl-C stops)", output, host, port)
    with server:
        server.serve_forever()


def rebuild_safely(settings_file=DEV_SETTINGS, **overrides) -> bool:
    """One build for the live preview: a failure is reported, never raised, so serving goes on.

    The build goes into a sibling folder and replaces OUTPUT_PATH only when it succeeded, so a
    broken post never leaves a half-written site behind: readers keep the last good build.
    """
    output = Path(overrides.get("OUTPUT_PATH") or load_settings(settings_file)["OUTPUT_PATH"])
    staging = output.with_name(f".{output.name}.next")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        result = build(settings_file, **{**overrides, "OUTPUT_PATH": str(staging)})
    except Exception as exc:  # Whatever broke, the server must keep serving.
        shutil.rmtree(staging, ignore_errors=True)
        reason = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        log.error("%s", reason)
        log.error("Still serving the last good build; save a fix and it rebuilds.")
        return False
    _swap(staging, output)
    log.warning(
        "Rebuilt %d posts, %d pages in %.2fs", result.articles, result.pages, result.seconds
    )
    return True


def _swap(fresh: Path, output: Path):
    """Put ``fresh`` where ``output`` is, leaving it missing for only a moment."""
    stale = output.with_name(f".{output.name}.old")
    shutil.rmtree(stale, ignore_errors=True)
    if output.exists():
        output.rename(stale)
    fresh.rename(output)
    shutil.rmtree(stale, ignore_errors=True)


def livereload(host: str = "127.0.0.1", port: int = 8000, drafts: bool = True):
    """Build, serve and rebuild on every change to content, theme, plugins or settings."""
    from livereload import Server  # Imported here: only this task needs it.

    # Drafts are previewed at /drafts/<slug>/ while writing; they never reach a production build.
    overrides = {"DRAFT_SAVE_AS": "drafts/{slug}/index.html"} if drafts else {}
    settings_output = ROOT / "output"
    rebuild = partial(rebuild_safely, **overrides)
    rebuild()
    server = Server()
    for path in WATCHED:
        server.watch(str(ROOT / path), rebuild)
    try:
        server.serve(host=host, port=port, root=str(settings_output))
    except OSError as exc:
        raise UserError(
            f"livereload: cannot listen on {host}:{port} ({exc.strerror}); try --port"
        ) from exc
