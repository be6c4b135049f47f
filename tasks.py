"""Tasks for writing, building and sending the blog. `invoke --list` shows them all.

Each task parses its arguments and calls one library function in `happening/`; errors a writer
can fix (`UserError`) become a one-line message and a non-zero exit, never a traceback.
"""

import functools
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from invoke import Collection, Exit, task

from happening import build as site
from happening import newsletter as _nl
from happening import quickexit
from happening.errors import UserError
from happening.plugins.feeds import websub

# The importers (BeautifulSoup, feedparser), the subscriber lists (requests) and the servers
# (the live preview's watcher) are imported by the tasks that use them: every other task,
# `release` first, starts without them (~0.3 s).

ROOT = Path(__file__).resolve().parent


def user_errors(func):
    """Turn a UserError into a clean exit with its message."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            raise Exit(f"error: {exc}", code=1) from None

    return wrapper


def _report(result, what):
    print(
        f"{what}: {result.articles} post(s), {result.pages} page(s) in {result.seconds:.2f}s "
        f"-> {result.output}/"
    )


@task(help={"no_cache": "Re-read every post instead of reusing the content cache."})
@user_errors
def build(c, no_cache=False):
    """Build the blog for local preview into output/."""
    overrides = {"LOAD_CONTENT_CACHE": False} if no_cache else {}
    _report(site.build(site.DEV_SETTINGS, search=True, **overrides), "Built")


@task
@user_errors
def preview(c):
    """Build the blog with production settings (publishconf.py) into output-production/."""
    _report(site.build(site.PROD_SETTINGS, search=True), "Built for production")


@task
def clean(c):
    """Remove generated files: output/, output-production/ and the content cache."""
    for folder in (site.LOCAL_OUTPUT, site.PRODUCTION_OUTPUT, ROOT / "cache"):
        shutil.rmtree(folder, ignore_errors=True)
    print("Removed output/, output-production/ and cache/")


@task(help={"host": "Address to listen on (default 127.0.0.1).", "port": "Port (default 8000)."})
@user_errors
def serve(c, host="127.0.0.1", port=8000):
    """Serve output/ at http://127.0.0.1:8000/ (build first); a missing page gets the 404 page."""
    from happening.workflow import serve as serving

    serving.serve(site.LOCAL_OUTPUT, host, int(port))


@task(
    help={
        "host": "Address to listen on (default 127.0.0.1).",
        "port": "Port (default 8000).",
        "drafts": "Also show drafts under /drafts/ (default on; --no-drafts hides them).",
    }
)
@user_errors
def livereload(c, host="127.0.0.1", port=8000, drafts=True):
    """Build, serve, and rebuild + reload the browser on every change."""
    from happening.workflow import serve as serving

    serving.livereload(host, int(port), drafts)


@task(default=True)
@user_errors
def all(c):  # noqa: A001 - `invoke all` reads as the README's "do everything" command.
    """Build the blog into output/ and write new posts' emails to the outbox."""
    build(c)
    # Always the outbox here, whatever NEWSLETTER_PROVIDER says: `./inv` never emails anyone.
    outbox = _nl.Site(site.PROD_SETTINGS, {"NEWSLETTER_PROVIDER": "outbox"})
    print(_nl.format_report(_nl.send(outbox)))
    print("Read it: ./inv serve, then open http://127.0.0.1:8000/")


@task(
    help={
        "browser": "Install Debian's chromium and rsync if missing (default on) for the tests "
        "that drive a browser or deploy by rsync.",
        "quick": "The fast edit loop: ruff, then every test except the browser and benchmark "
        'ones (pytest -m "not browser and not bench"); never installs chromium.',
    }
)
def test(c, browser=True, quick=False):
    """Run the linter and every test (--quick: all but the browser and benchmark tests)."""
    tools = {pkg: exe for pkg, exe in DEBIAN_TEST_TOOLS.items() if not (quick and pkg in BROWSERS)}
    missing = [pkg for pkg, exe in tools.items() if not shutil.which(exe)]
    if browser and missing:
        _apt_install(c, missing)
    _npm_install(c)
    c.run("ruff check .", pty=False)
    c.run("ruff format --check .", pty=False)
    # The markers are registered in pyproject.toml; --strict-markers catches a misspelt one.
    select = ' -m "not browser and not bench"' if quick else ""
    # One pytest worker per core (pytest-xdist): most of the suite's time is whole-site builds,
    # browsers and servers, each busy on one core. Every test has its own tmp_path and free
    # ports, and session fixtures are built once per worker, so the tests cannot collide.
    # Whole files go to a worker (loadfile): a module's built site or browser is then set up
    # once, where spreading its tests over both workers sets it up twice.
    c.run(f"{sys.executable} -m pytest -n auto --dist loadfile{select}", pty=False)


# Debian packages some tests drive for real, with the command each one provides: the browser,
# rsync for publish, an IMAP server for newsletter.inbox, Node and npm for the caniemail check,
# SpamAssassin for the email's spam score.
DEBIAN_TEST_TOOLS = {
    "chromium": "chromium",
    "rsync": "rsync",
    "dovecot-imapd": "dovecot",
    "nodejs": "node",
    "npm": "npm",
    "spamassassin": "spamassassin",
}
BROWSERS = {"chromium"}  # Only the tests marked `browser` need these; --quick leaves them out.


def _apt_install(c, packages):
    sudo = "" if _is_root() else "sudo "
    print(f"Installing Debian's {', '.join(packages)} for the tests (once)...")
    c.run(f"{sudo}apt-get update -qq", pty=False)
    c.run(
        f"DEBIAN_FRONTEND=noninteractive {sudo}apt-get install -y -qq {' '.join(packages)}",
        pty=False,
    )


def _npm_install(c):
    """The caniemail checker's npm packages, exactly as package-lock.json pins them (once)."""
    folder = ROOT / "tools" / "caniemail"
    if not (folder / "node_modules").is_dir() and shutil.which("npm"):
        c.run(f"npm ci --ignore-scripts --no-audit --no-fund --prefix {folder}", pty=False)


def _is_root():
    import os

    return os.geteuid() == 0


@task
def lock(c):
    """Re-pin requirements.lock from pyproject.toml's dependencies (needs the network)."""
    tmp = ROOT / ".venv-lock"
    shutil.rmtree(tmp, ignore_errors=True)
    c.run(f"{sys.executable} -m venv {tmp}")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    # setuptools too: ./inv installs the project with it, without build isolation.
    wanted = [
        *pyproject["build-system"]["requires"],
        *project["dependencies"],
        *project["optional-dependencies"]["test"],
    ]
    subprocess.run([f"{tmp}/bin/pip", "install", "--quiet", *wanted], check=True)
    frozen = subprocess.run(
        [f"{tmp}/bin/pip", "freeze", "--all"], check=True, capture_output=True, text=True
    ).stdout
    pins = [line for line in frozen.splitlines() if not line.startswith("pip==")]
    (ROOT / "requirements.lock").write_text(
        "# Exact versions ./inv installs; regenerate with `./inv lock`.\n" + "\n".join(pins) + "\n"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"Pinned {len(pins)} packages in requirements.lock")


# -- Newsletter: every new post to email subscribers exactly once (happening/newsletter/) --------
_NEWSLETTER_SETTINGS = "Settings file for the email (default publishconf.py: absolute links)."


def _newsletter_site(settings):
    return _nl.Site(Path(settings) if settings else site.PROD_SETTINGS)


@task(
    name="send",
    help={
        "post": "Send only this post (slug, file name or post id); default: every unsent post.",
        "dry_run": "Say what would be sent and change nothing.",
        "test_to": "Send one test copy of the newest unsent post (or --post) here; record nothing.",
        "schedule": "ISO time to send at (e.g. 2026-05-01T08:00; no zone: TIMEZONE).",
        "draft": "Create the email at the provider as a draft, without sending.",
        "max_per_run": "Allow this many posts in one run (default NEWSLETTER_MAX_PER_RUN).",
        "settings": _NEWSLETTER_SETTINGS,
    },
)
@user_errors
def newsletter_send(
    c,
    post=None,
    dry_run=False,
    test_to=None,
    schedule=None,
    draft=False,
    max_per_run=None,
    settings=None,
):
    """Send every published post that has not gone out yet, oldest first."""
    report = _nl.send(
        _newsletter_site(settings),
        post=post,
        dry_run=dry_run,
        test_to=test_to,
        schedule=schedule,
        draft=draft,
        max_per_run=int(max_per_run) if max_per_run is not None else None,
    )
    print(_nl.format_report(report))
    if report.refused:  # Sent to everyone else; a distinct code so that CI notices.
        raise Exit(code=_nl.REFUSED)


@task(name="status", help={"settings": _NEWSLETTER_SETTINGS})
@user_errors
def newsletter_status(c, settings=None):
    """Show each published post: sent or not, when, how, and what send would do now."""
    print(_nl.format_status(*_nl.status(_newsletter_site(settings))))


@task(
    name="preview",
    help={
        "post": "Preview only this post (slug, file name or post id); default: every post send "
        "would send now (the newest post when none is waiting).",
        "settings": _NEWSLETTER_SETTINGS,
    },
)
@user_errors
def newsletter_preview(c, post=None, settings=None):
    """Write every email send would send as .html, .txt and .eml; print the paths."""
    for path in _nl.preview(_newsletter_site(settings), post=post):
        print(_from_root(path))


@task(name="baseline", help={"settings": _NEWSLETTER_SETTINGS})
@user_errors
def newsletter_baseline(c, settings=None):
    """Record every published post as already sent (a blog that already has email readers)."""
    print(_nl.format_report(_nl.baseline(_newsletter_site(settings))))


@task(name="inbox", help={"settings": _NEWSLETTER_SETTINGS})
@user_errors
def newsletter_inbox(c, settings=None):
    """Read the list's mailbox: confirm sign-ups, take unsubscribes and bounces (SMTP lists)."""
    print("\n".join(_nl.check_inbox(_newsletter_site(settings)).lines()))


_newsletter = Collection("newsletter")
for _task in (
    newsletter_send,
    newsletter_status,
    newsletter_preview,
    newsletter_baseline,
    newsletter_inbox,
):
    _newsletter.add_task(_task)


# -- Moving in: posts, old links and readers from another platform (happening/importers/) -------


@task(
    name="import",
    help={
        "source": "Where the export comes from: substack, ghost, wordpress or feed.",
        "path": "The export: Substack's zip, Ghost's .json, WordPress's .xml, a feed file or URL.",
        "old_url": "The old site's address (https://name.substack.com): the old feed ids use it.",
        "dry_run": "Show what would be written, redirected and recorded; change nothing.",
        "settings": "Settings file of the site to import into (default publishconf.py).",
    },
)
@user_errors
def import_(c, source, path, old_url="", dry_run=False, settings=None):
    """Import posts from Substack, Ghost, WordPress or a feed, with redirects and ledger."""
    from happening import importers
    from happening.importers.report import format_import

    report = importers.import_export(
        source,
        path,
        old_url=old_url,
        dry_run=dry_run,
        settings_file=Path(settings) if settings else site.PROD_SETTINGS,
    )
    print(format_import(report))


@task(
    name="import",
    help={
        "file": "The list: Substack's email_list CSV, Ghost's members CSV, or email,name CSV.",
        "dry_run": "Count who would be added and who suppressed; change nothing.",
        "settings": _NEWSLETTER_SETTINGS,
    },
)
@user_errors
def subscribers_import(c, file, dry_run=False, settings=None):
    """Move a subscriber list to the provider (or SMTP recipients file); the rest suppressed."""
    from happening.newsletter import subscribers

    report = subscribers.import_list(_newsletter_site(settings), Path(file), dry_run=dry_run)
    print(subscribers.format_counts(report))


@task(
    name="export",
    help={
        "file": "Where to write the list (a CSV outside the repo: it holds addresses).",
        "settings": _NEWSLETTER_SETTINGS,
    },
)
@user_errors
def subscribers_export(c, file, settings=None):
    """Write the provider's list and the suppressed readers to a CSV outside the repo."""
    from happening.newsletter import subscribers

    print(
        subscribers.format_counts(subscribers.export_list(_newsletter_site(settings), Path(file)))
    )


_subscribers = Collection("subscribers")
_subscribers.add_task(subscribers_import)
_subscribers.add_task(subscribers_export)
_newsletter.add_collection(_subscribers)


# -- Feeds: WebSub (plugins/feeds/websub.py) ----------------------------------------------------


@task(help={"settings": "Settings file whose feeds to announce (default publishconf.py)."})
@user_errors
def ping(c, settings="publishconf.py"):
    """Tell each WebSub hub (WEBSUB_HUBS) that every feed in output-production/ has changed."""
    conf = site.load_settings(ROOT / settings)
    results = websub.ping(conf, conf["OUTPUT_PATH"])
    if not results:
        print("No WEBSUB_HUBS configured; nothing to ping")
        return
    hubs = len({r.hub for r in results})
    print(f"Pinged {hubs} hub(s) about {len(results) // hubs} feed(s) each")


# -- Writer's workflow: post.new, check, publish, release ---------------------------------------
# The library is happening/workflow/ (newpost.py, check.py, publish.py, release.py); each task
# parses its arguments, calls it, and shows the outcome with rich.


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _plain(text):
    """``text`` safe to print with rich: titles and paths may hold "[...]"."""
    from rich.markup import escape

    return escape(str(text))


@task(
    help={
        "title": "The post's title (quote it); the slug and file name come from it.",
        "follows": "Slug(s) of earlier posts this one follows up, comma-separated.",
        "tags": "Tags, comma-separated (e.g. --tags AI,Film).",
        "date": "Publication date, YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (default: now).",
        "category": "Category (default: the followed post's, else DEFAULT_CATEGORY).",
    }
)
@user_errors
def new(c, title, follows=None, tags=None, date=None, category=None):
    """Start a new draft post in content/posts/ with complete metadata."""
    from happening.workflow import newpost

    made = newpost.new_post(title, follows=follows, tags=tags, date=date, category=category)
    out = _console()
    out.print(f"[green]Created[/] {_plain(made.path.relative_to(ROOT))} (Status: draft)")
    if made.follows:
        out.print(f"Follows up: {_plain(', '.join(made.follows))}")
    out.print(f"Preview: ./inv livereload, then open {_plain(made.preview_url)}")
    out.print(f"Publish it when it is ready: ./inv post.publish {_plain(made.slug)}")


def _show_check(result, every=False, again="./inv check --production --all"):
    """The check's report: its table (past a few warnings of a kind, a count and ``again``, the
    command that lists them all, unless ``every``), then its verdict."""
    from happening.workflow import report

    out = _console()
    table = report.check_table(result, every=every, more_hint=f"`{again}` lists every one")
    if table is not None:
        out.print(table)
    out.print(report.check_summary(result))


@task(
    help={
        "output": "The built site to check (default: OUTPUT_PATH from the settings, output/).",
        "production": "Use publishconf.py's settings (absolute SITEURL) instead of pelicanconf.py.",
        "all": "List every warning (by default, past 10 of a kind, a count of the rest).",
    }
)
@user_errors
def check(c, output=None, production=False, all=False):  # noqa: A002 - the option is --all
    """Check the built site: links, files, alt text, deks, feeds, post ids, drafts, page weight."""
    from happening.workflow import check as checking

    settings = site.load_settings(site.PROD_SETTINGS if production else site.DEV_SETTINGS)
    result = checking.check_site(settings, output)
    again = "./inv check" + (f" --output {output}" if output else "")
    again += (" --production" if production else "") + " --all"
    _show_check(result, every=all, again=again)
    result.raise_for_errors()


@task(
    help={
        "target": "Where to deploy: rsync, gh-pages or dir (default: PUBLISH_TARGET, dir).",
    }
)
@user_errors
def publish(c, target=None):
    """Build for production, check, then deploy (rsync, gh-pages or a folder); never drafts."""
    from happening.workflow import publish as publishing

    out = _console()
    with out.status("Building with publishconf.py and checking..."):
        done = publishing.publish(target, on_check=_show_check)
    where = _plain(done.destination)
    out.print(f"[green]Published[/] {done.files} files to {where} ({done.target})")


@task(
    help={
        "target": "Where to deploy: rsync, gh-pages or dir (default: PUBLISH_TARGET, dir).",
        "from_step": "Resume at this step (publish, ping or newsletter) after a failure.",
    }
)
@user_errors
def release(c, target=None, from_step=None):
    """Publish, then ping the WebSub hubs, then email new posts; stops at the first failure."""
    from happening.workflow import release as releasing

    out = _console()

    def show(outcome):
        mark = "[green]✓[/]" if outcome.ok else "[bold red]✗[/]"
        detail = outcome.detail if outcome.ok else outcome.detail.splitlines()[0]
        out.print(f"{mark} {outcome.step:<10} {_plain(detail)}")

    with out.status("Releasing: publish, then ping, then the newsletter..."):
        releasing.release(target, start=from_step, on_check=_show_check, on_step=show)
    out.print("[green]Released.[/]")
    if _sole_task("release", RELEASE_OPTIONS):
        quickexit.end(0)  # Nothing runs after it: no teardown of the build's heap (~0.15 s).


# The release task's options as invoke spells them on the command line.
RELEASE_OPTIONS = frozenset({"--target", "-t", "--from-step", "-f"})


def _sole_task(name, options, argv=None):
    """Whether the command line runs only task ``name`` (with its ``options``, each with its
    value), so that the process may end as soon as it returns; any other word (another task,
    one of invoke's own flags) says no."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args.pop(0) != name:
        return False
    while args:
        flag, given, _ = args.pop(0).partition("=")
        if flag not in options or (not given and not args):
            return False
        if not given:
            args.pop(0)
    return True


@task(
    name="publish",
    help={
        "slug": "The draft's Slug: (as post.new printed it).",
        "keep_date": "Keep the Date: the draft has instead of setting it to now.",
    },
)
@user_errors
def post_publish(c, slug, keep_date=False):
    """Publish a draft: drop Status: draft, date it now, build, check, preview its email."""
    from happening.workflow import publishdraft

    out = _console()

    def shown(result):  # The local build's check (pelicanconf.py, output/): listed so in full.
        _show_check(result, again="./inv check --all")

    done = publishdraft.publish_draft(slug, keep_date=keep_date, on_check=shown)
    out.print(f"[green]Published[/] {_plain(_from_root(done.path))} (Date: {done.date})")
    out.print(f"Read it: ./inv serve, then open http://127.0.0.1:8000/posts/{_plain(done.slug)}/")
    for path in done.previews:
        out.print(f"Email preview: {_plain(_from_root(path))}")
    out.print(f"Release it (deploy, ping, email): [bold]{done.release}[/]")


def _from_root(path):
    """``path`` as the writer types it: relative to the project when it is inside it."""
    path = Path(path)
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


post = Collection("post")
post.add_task(new)
post.add_task(post_publish)


# -- Benchmarks (bench/) --------------------------------------------------------------------------
@task(
    help={
        "quick": "A small run (50 posts) in under a minute instead of the full 10-15 minutes.",
        "json": "Also write the figures as JSON to this file.",
    }
)
def bench(c, quick=False, json=""):
    """Time build, rebuild and send against bare Pelican (see bench/RESULTS.md)."""
    args = ["--quick"] if quick else []
    args += ["--json", json] if json else []
    c.run(" ".join([sys.executable, str(ROOT / "bench" / "run.py"), *args]), pty=False)


# -- The namespace: every task above, grouped as `invoke --list` shows them ----------------------
ns = Collection(all, build, preview, clean, serve, livereload, test, lock)
ns.add_task(check)
ns.add_task(publish)
ns.add_task(release)
ns.add_task(ping)
ns.add_task(import_)
ns.add_task(bench)
ns.add_collection(post)
ns.add_collection(_newsletter)
