"""`publish` deploys exactly the production build, and nothing at all when `check` fails."""

import filecmp
import gc
import json
import os
import shutil
import subprocess

import pytest

from conftest import TEST_SITE, write_files
from happening.filestat import stat_of, tree
from happening.workflow.check import CheckFailed
from happening.workflow.publish import PublishError, _Dir, _exactly_as_deployed, _Rsync, publish

# The test site's own posts. Other areas add posts there for their edge cases (the feeds' media
# post links to files on purpose), which `check` rightly fails; publishing needs a clean site.
OWN = ("posts/first.md", "posts/second.md", "posts/draft.md", "posts/future.md", "pages/about.md")


def clean_site(folder):
    for name in OWN:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(TEST_SITE / name, folder / name)
    return folder


def overrides(tmp_path, content=None, **more):
    return {
        "PATH": str(content or clean_site(tmp_path / "content")),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        **more,
    }


def same_tree(a, b):
    """True when folders ``a`` and ``b`` hold the same files with the same bytes."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    match, mismatch, errors = filecmp.cmpfiles(a, b, [str(f) for f in files_a], shallow=False)
    assert not mismatch and not errors
    return len(match) == len(files_a)


def git(*args, cwd=None):
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_dir_target_gets_exactly_the_production_build(tmp_path):
    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text("an older deploy")
    (public / "stale.html").write_text("a page since deleted")
    seen = []
    done = publish("dir", on_check=seen.append, **overrides(tmp_path, PUBLISH_DIR=str(public)))
    assert gc.get_freeze_count() == 0
    assert done.destination == str(public) and done.files > 5  # Outside the project: in full.
    assert seen and seen[0].ok
    assert same_tree(tmp_path / "output", public)
    assert not (public / "stale.html").exists()
    everything = " ".join(p.read_text() for p in public.rglob("*.html"))
    assert "https://happeningnow.example/posts/first-light/" in everything  # Production URLs.
    assert "Not ready yet" not in everything and "From the future" not in everything
    # A second run replaces the copy in place, again exactly.
    publish("dir", **overrides(tmp_path, PUBLISH_DIR=str(public)))
    assert same_tree(tmp_path / "output", public)


def deployed_site(tmp_path):
    """A hand-made output, deployed once with ``_Dir``; returns output, target and settings."""
    output, public = tmp_path / "output", tmp_path / "public"
    settings = {"PATH": str(tmp_path / "c"), "OUTPUT_PATH": str(output), "CACHE_PATH": "/nowhere"}
    files = {
        "index.html": "home",
        "kept/index.html": "untouched",
        "same.xml": "rewritten, same bytes",
        "changed.html": "old",
        "gone/index.html": "deleted later",
    }
    write_files(output, files)
    _Dir.deploy(output, settings, public)
    assert same_tree(output, public)
    return output, public, settings


def test_dir_deploy_copies_only_what_changed_and_removes_only_what_went(tmp_path):
    output, public, settings = deployed_site(tmp_path)
    untouched = {
        rel: (public / rel).stat() for rel in ("index.html", "kept/index.html", "same.xml")
    }
    (output / "same.xml").write_text("rewritten, same bytes", encoding="utf-8")
    (output / "changed.html").write_text("new", encoding="utf-8")
    shutil.rmtree(output / "gone")
    (output / "new" / "deep").mkdir(parents=True)
    (output / "new" / "deep" / "index.html").write_text("added", encoding="utf-8")
    _Dir.deploy(output, settings, public)

    assert same_tree(output, public) and same_tree(public, output)
    assert not (public / "gone").exists()  # No empty folder left behind either.
    for rel, before in untouched.items():  # Not rewritten: the same file, untouched.
        after = (public / rel).stat()
        assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
            before.st_ino,
            before.st_mtime_ns,
            before.st_ctime_ns,
        ), rel
    assert not list(public.rglob("*.deploying"))


def test_dir_deploy_replaces_the_whole_folder_when_it_was_touched_since(tmp_path):
    # A file edited on the target, or one added there: the folder is not what the last deploy
    # left, so nothing in it is trusted and the whole copy is swapped in, exactly the build.
    output, public, settings = deployed_site(tmp_path)
    (public / "changed.html").write_text("edited on the server", encoding="utf-8")
    (public / "stray.html").write_text("left by hand", encoding="utf-8")
    _Dir.deploy(output, settings, public)
    assert same_tree(output, public) and same_tree(public, output)
    assert (public / "changed.html").read_text(encoding="utf-8") == "old"
    assert not (tmp_path / ".public.new").exists() and not (tmp_path / ".public.old").exists()
    # An interrupted deploy leaves no manifest: the next one copies everything.
    (tmp_path / ".public.manifest.json").unlink()
    (public / "changed.html").write_text("edited again", encoding="utf-8")
    _Dir.deploy(output, settings, public)
    assert (public / "changed.html").read_text(encoding="utf-8") == "old"


def test_gh_pages_target_pushes_exactly_the_build_to_a_bare_repo(tmp_path):
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    settings = overrides(tmp_path, GITHUB_PAGES_REMOTE=str(remote), GITHUB_PAGES_BRANCH="pages")
    done = publish("gh-pages", **settings)
    assert done.destination == f"{remote}#pages"
    publish("gh-pages", **settings)  # Rerun: a new commit on top, history kept.
    assert git("--git-dir", str(remote), "rev-list", "--count", "pages").strip() == "2"
    checkout = tmp_path / "checkout"
    git("clone", "-q", "--branch", "pages", str(remote), str(checkout))
    shutil.rmtree(checkout / ".git")
    assert same_tree(tmp_path / "output", checkout)


def test_failing_check_deploys_nothing(tmp_path):
    site_copy = clean_site(tmp_path / "content")
    (site_copy / "posts" / "broken.md").write_text(
        "Title: Broken\nDate: 2024-04-01\nSummary: A broken link.\n\n[gone](/posts/gone/)\n"
    )
    public, remote = tmp_path / "public", tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    settings = overrides(
        tmp_path, site_copy, PUBLISH_DIR=str(public), GITHUB_PAGES_REMOTE=str(remote)
    )
    seen = []
    with pytest.raises(CheckFailed, match="1 error"):
        publish("dir", on_check=seen.append, **settings)
    assert seen[0].errors[0].message.startswith("links to '/posts/gone/'")
    assert not public.exists()
    # What the build made was frozen out of the collector's way for the check: given back to
    # it however publish ends, so a long-lived caller frees it.
    assert gc.get_freeze_count() == 0
    with pytest.raises(CheckFailed):
        publish("gh-pages", **settings)
    assert git("--git-dir", str(remote), "branch", "--list").strip() == ""


def test_drafts_are_never_deployed(tmp_path):
    public = tmp_path / "public"
    settings = overrides(
        tmp_path, PUBLISH_DIR=str(public), DRAFT_SAVE_AS="drafts/{slug}/index.html"
    )
    with pytest.raises(PublishError, match="drafts"):
        publish("dir", **settings)
    assert not public.exists()


@pytest.mark.parametrize("where", ["", ".", "content", "content/posts", "output", "theme", ".."])
def test_dir_target_refuses_to_replace_precious_folders(where):
    # Only the destination is computed here: a guard that failed must not cost the repo.
    from happening.build import ROOT, load_settings

    settings = load_settings(PUBLISH_DIR=str(ROOT / where) if where else "")
    with pytest.raises(PublishError, match="PUBLISH_DIR"):
        _Dir.destination(settings)


def test_dir_target_refuses_a_folder_that_holds_something_else(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me")
    with pytest.raises(PublishError, match="no earlier deploy"):
        publish("dir", **overrides(tmp_path, PUBLISH_DIR=str(notes)))
    assert (notes / "todo.txt").read_text() == "keep me"


def test_rsync_needs_its_settings_and_runs_the_quickstart_command(tmp_path):
    with pytest.raises(PublishError, match="SSH_HOST and SSH_TARGET_DIR"):
        publish("rsync", **overrides(tmp_path))
    settings = {"SSH_HOST": "example.org", "SSH_USER": "me", "SSH_TARGET_DIR": "/srv/www"}
    dest = _Rsync.destination(settings)
    assert dest == "me@example.org:/srv/www"
    command = _Rsync.command("/tmp/output", settings, dest)
    assert command[:3] == ["rsync", "-e", "ssh -p 22"]
    assert "--delete" in command and command[-2:] == ["/tmp/output/", "me@example.org:/srv/www"]


def test_unknown_target_is_a_clear_error(tmp_path):
    with pytest.raises(PublishError, match="'ftp' is not one of rsync, gh-pages, dir"):
        publish("ftp", **overrides(tmp_path))


def test_credentials_in_a_remote_url_are_never_shown():
    from happening.workflow.publish import redact

    url = "https://x-access-token:s3cr3t@github.com/me/blog.git"
    assert redact(f"fatal: could not read {url}") == (
        "fatal: could not read https://***@github.com/me/blog.git"
    )
    assert redact("git@github.com:me/blog.git") == "git@github.com:me/blog.git"  # No secret.


def test_an_unreachable_gh_pages_remote_is_a_clear_error_without_the_token(tmp_path):
    remote = f"file://token:s3cr3t@{tmp_path}/missing.git"
    with pytest.raises(PublishError) as failure:
        publish("gh-pages", **overrides(tmp_path, GITHUB_PAGES_REMOTE=remote))
    assert "git ls-remote" in str(failure.value) and "s3cr3t" not in str(failure.value)


FAKE_SSH = """#!/bin/sh
# Stands in for ssh: drops the options and the host, then runs rsync's remote half right here,
# so the test exercises the real rsync protocol and --delete without an SSH server.
while [ $# -gt 0 ]; do
  case "$1" in
    -p|-l) shift 2 ;;
    -*) shift ;;
    *) shift; break ;;
  esac
done
exec "$@"
"""


def test_rsync_target_mirrors_the_build_with_delete(tmp_path, monkeypatch):
    if not shutil.which("rsync"):
        pytest.fail("rsync is not installed: apt-get install rsync")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "ssh").write_text(FAKE_SSH)
    (tools / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    remote = tmp_path / "www"
    remote.mkdir()
    (remote / "gone.html").write_text("deleted since")
    settings = overrides(
        tmp_path, SSH_HOST="blog.example", SSH_USER="me", SSH_TARGET_DIR=str(remote)
    )
    done = publish("rsync", **settings)
    assert done.destination == f"me@blog.example:{remote}"
    assert same_tree(tmp_path / "output", remote)


def test_staged_files_are_copied_and_renamed_several_at_a_time(tmp_path):
    from happening.workflow import publish as publishing

    staged = []
    for n in range(20):
        target = tmp_path / f"page-{n}.html"
        target.write_text("old")
        temporary = tmp_path / f".page-{n}.html.deploying"
        temporary.write_text(f"new {n}")
        staged.append((str(temporary), str(target)))
    publishing._each_at_once(os.replace, staged)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"page-{n}.html" for n in range(20))
    assert all((tmp_path / f"page-{n}.html").read_text() == f"new {n}" for n in range(20))
    # One that cannot be renamed fails the deploy; every other one is still tried.
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileNotFoundError):
        publishing._each_at_once(
            os.replace,
            [
                (str(tmp_path / "gone"), str(tmp_path / "x")),
                *[(str(tmp_path / name), str(tmp_path / f"{name}.moved")) for name in ("a", "b")],
            ],
        )
    assert (tmp_path / "a.moved").read_text() == "a" and (tmp_path / "b.moved").read_text() == "b"


def test_a_look_at_the_target_taken_before_the_build_serves_its_deploy(tmp_path):
    # A release looks at PUBLISH_DIR in a forked child while it builds (publish._EarlyLook).
    output, public, settings = deployed_site(tmp_path)
    untouched = (public / "kept/index.html").stat()
    (output / "changed.html").write_text("new", encoding="utf-8")
    early = _Dir.look_early(public)
    assert early is not None  # Forked here: CI and this machine have two cores.
    _Dir.deploy(output, settings, public, early=early)
    assert same_tree(output, public)
    assert (public / "kept/index.html").stat().st_ino == untouched.st_ino  # Updated, not copied.

    # Touched before the look: the look says so, and the whole copy is swapped in.
    (public / "stray.html").write_text("left by hand", encoding="utf-8")
    early = _Dir.look_early(public)
    _Dir.deploy(output, settings, public, early=early)
    assert same_tree(output, public) and not (public / "stray.html").exists()
    assert (public / "kept/index.html").stat().st_ino != untouched.st_ino


def staged_change(tmp_path):
    """A deployed site with one page changed and one added in a new folder, its copies staged
    for the deploy (``_Dir.stage``, a forked child) and waited for; returns what the test needs."""
    output, public, settings = deployed_site(tmp_path)
    (output / "changed.html").write_text("new", encoding="utf-8")
    write_files(output, {"new/deep/index.html": "added"})
    staging = _Dir.stage(output, public, tree(output), _Dir.look_early(public))
    assert staging is not None  # Forked here: CI and this machine have two cores.
    staging._wait()
    return output, public, settings, staging


def test_the_deploys_copies_made_during_the_check_change_nothing_until_it_passes(tmp_path):
    # A release copies the changed files while the check runs (publish._Staging): beside their
    # places, under names no link points at, so the site served is still the last deploy's.
    output, public, settings, staging = staged_change(tmp_path)
    assert (public / "changed.html").read_text(encoding="utf-8") == "old"
    assert not (public / "new/deep/index.html").exists()
    assert sorted(p.name for p in public.rglob("*.deploying")) == [
        ".changed.html.deploying",
        ".index.html.deploying",
    ]
    _Dir.deploy(output, settings, public, files=tree(output), early=None, staged=staging)
    assert same_tree(output, public) and same_tree(public, output)
    assert not list(public.rglob("*.deploying"))


def test_a_failed_check_leaves_nothing_of_the_staged_copies(tmp_path):
    output, public, settings, staging = staged_change(tmp_path)
    staging.discard()  # publish() does so when the check (or anything before the deploy) fails
    assert not list(public.rglob("*.deploying")) and not (public / "new").exists()
    manifest = json.loads((tmp_path / ".public.manifest.json").read_text(encoding="utf-8"))
    assert _exactly_as_deployed(public, manifest)  # The next deploy still updates in place.


def test_a_staged_copy_is_not_taken_for_a_file_written_again_since(tmp_path):
    output, public, settings, staging = staged_change(tmp_path)
    (output / "changed.html").write_text("newer, written after the copy", encoding="utf-8")
    _Dir.deploy(output, settings, public, files=tree(output), staged=staging)
    assert (public / "changed.html").read_text(encoding="utf-8") == "newer, written after the copy"
    assert same_tree(output, public) and not list(public.rglob("*.deploying"))


def test_staged_copies_for_another_manifest_are_not_taken(tmp_path):
    output, public, settings, staging = staged_change(tmp_path)
    # Another deploy since the copies were made: they describe the folder it replaced.
    _Dir.deploy(output, settings, public)
    (output / "changed.html").write_text("newest", encoding="utf-8")
    _Dir.deploy(output, settings, public, files=tree(output), staged=staging)
    assert (public / "changed.html").read_text(encoding="utf-8") == "newest"
    assert same_tree(output, public) and not list(public.rglob("*.deploying"))


def test_a_look_at_another_manifest_is_not_taken(tmp_path):
    output, public, settings = deployed_site(tmp_path)
    early = _Dir.look_early(public)
    manifest = tmp_path / ".public.manifest.json"
    assert early.answer(stat_of(manifest)) is True  # Waits for the child: it looked already.
    # Since the look, a file was edited and the manifest rewritten (as by another deploy): the
    # look described the old manifest, so the deploy looks at the folder again itself.
    (public / "changed.html").write_text("edited on the server", encoding="utf-8")
    records = json.loads(manifest.read_text(encoding="utf-8"))
    records["changed.html"]["deployed"] = [0, 0, 0, 0]
    manifest.write_text(json.dumps(records), encoding="utf-8")
    assert early.answer(stat_of(manifest)) is None
    _Dir.deploy(output, settings, public, early=early)
    assert (public / "changed.html").read_text(encoding="utf-8") == "old"
    assert same_tree(output, public)


def test_a_release_whose_build_fails_reaps_its_look_at_the_target(tmp_path, monkeypatch):
    looks = []
    real = _Dir.look_early

    def look(dest):
        looks.append(real(dest))
        return looks[-1]

    monkeypatch.setattr(_Dir, "look_early", staticmethod(look))
    site_copy = clean_site(tmp_path / "content")
    (site_copy / "posts" / "broken.md").write_text(
        "Title: Broken\nDate: 2024-04-01\nSummary: A broken link.\n\n[gone](/posts/gone/)\n"
    )
    public = tmp_path / "public"
    with pytest.raises(CheckFailed):
        publish("dir", reuse=True, **overrides(tmp_path, site_copy, PUBLISH_DIR=str(public)))
    assert len(looks) == 1 and looks[0].child is None  # Waited for: no child left behind.
    assert not public.exists()
