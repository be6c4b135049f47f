"""The code files behind the production key and the page cache's key (happening/codefiles.py):
listed as ``sorted(rglob)`` lists them, each hashed again whenever its stat changes."""

import hashlib
import json
import os
import shutil

from conftest import ROOT
from happening import codefiles
from happening.build import PROD_SETTINGS, load_settings
from happening.plugins.fastbuild import pages


def digest(roots, record):
    h = hashlib.blake2b()
    codefiles.feed(h, roots, record)
    return h.hexdigest()


def test_the_code_files_are_those_and_in_the_order_rglob_lists(tmp_path):
    """``files`` walks with os.walk; the key must hash what ``sorted(rglob)`` lists."""
    root = tmp_path / "code"
    for rel in ("a.py", "b-c.py", "b/c.py", "b/d/e.py", "b/__pycache__/x.pyc", "Z.txt", "b.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "f.py").write_text("f")
    (root / "linked").symlink_to(tmp_path / "elsewhere")  # a link to a folder: not entered
    (root / "gone.py").symlink_to(tmp_path / "nowhere.py")  # a dangling link: no file
    (root / "same.py").symlink_to(root / "a.py")  # a link to a file: its bytes
    single = tmp_path / "one.py"
    single.write_text("one")
    expected = [(str(single), str(single))] + [
        (str(p.relative_to(root)), str(p))
        for p in sorted(root.rglob("*"))
        if "__pycache__" not in p.parts and p.is_file()
    ]
    found = list(codefiles.files([single, root, tmp_path / "missing"]))
    assert [(name, path) for name, path, _ in found] == expected
    assert [st.st_size for _, path, st in found] == [os.stat(path).st_size for _, path in expected]


def test_a_recorded_digest_is_taken_only_while_the_files_stat_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(codefiles, "RACY_NS", 0)  # Files written just now count as settled.
    root, record = tmp_path / "code", tmp_path / "cache" / "digests.json"
    root.mkdir()
    module = root / "m.py"
    module.write_text("x = 1\n", encoding="utf-8")
    first = digest([root], record)
    assert record.is_file() and digest([root], None) == first  # kept or not: the same digest
    # While the stat is the same, the recorded digest is taken, not the file's bytes hashed:
    # a record made to say otherwise changes the outcome.
    kept = json.loads(record.read_text(encoding="utf-8"))
    forged = {path: [stamp, "0" * 32] for path, (stamp, _) in kept.items()}
    record.write_text(json.dumps(forged), encoding="utf-8")
    assert digest([root], record) != first
    record.write_text(json.dumps(kept), encoding="utf-8")
    assert digest([root], record) == first
    before = module.stat()
    module.write_text("x = 2\n", encoding="utf-8")  # the same size, the old mtime put back:
    os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime still moves
    assert digest([root], record) != first
    module.write_text("x = 1\n", encoding="utf-8")
    assert digest([root], record) == first  # the same bytes: the same digest again


def test_a_file_changed_just_now_is_not_recorded(tmp_path):
    # Within RACY_NS of its last write a file may change again and keep its stat: its digest is
    # not kept, so the next call reads and hashes it again.
    root, record = tmp_path / "code", tmp_path / "digests.json"
    root.mkdir()
    (root / "m.py").write_text("x = 1\n", encoding="utf-8")
    digest([root], record)
    assert not record.exists()


def test_the_page_caches_code_digest_follows_a_theme_edit_of_the_same_size(tmp_path, monkeypatch):
    monkeypatch.setattr(codefiles, "RACY_NS", 0)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = load_settings(
        PROD_SETTINGS, THEME=str(theme), CACHE_PATH=str(tmp_path / "cache"), CACHE_CONTENT=True
    )
    first = pages.code_digest(settings)
    assert (tmp_path / "cache" / pages.CODE_RECORD).is_file()
    assert pages.code_digest(settings) == first
    base = theme / "templates" / "base.html"
    before = base.stat()
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("<body", "<BODY", 1), encoding="utf-8")
    os.utime(base, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert pages.code_digest(settings) != first
    # A build that keeps no cache keeps no record either, and hashes to the same digest.
    base.write_text(text, encoding="utf-8")
    assert pages.code_digest({**settings, "CACHE_CONTENT": False}) == first
