"""A file's stat as the mark of its bytes, and facts about files kept by it.

A release reads its output more than once (the search index's plan, `check`, the deploy), and
after one new post the build has written only a tenth of the files again. Size, mtime, ctime
and inode are what any write changes: the ctime even when the mtime is set back (only the
kernel sets it), the inode when a file is replaced by a rename. So a fact worked out from a
file's bytes (a digest, what Pagefind reads of it) is kept with the file's stat and taken
again, without reading the file, while the stat is the same. The deploy's manifest and the
production build's reuse (``workflow/reuse.py``) trust the same four numbers.
"""

import os


def stamp(st: os.stat_result) -> list:
    """What any write to a file changes, from its ``os.stat_result``: size, mtime, ctime, inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def stat_of(path) -> list:
    """:func:`stamp` of the file at ``path``."""
    return stamp(os.stat(path))


def tree(root) -> dict:
    """Every file under ``root`` (posix paths relative to it) with its :func:`stamp`.

    As ``os.walk`` would (a linked folder is not entered), but with ``os.scandir``'s entries,
    which save a path join and a stat call's setup per file (~3,500 files, several times a
    release).
    """
    found = {}
    todo = [(str(root), "")]
    while todo:
        folder, under = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        todo.append((entry.path, f"{under}{entry.name}/"))
                    continue
                found[under + entry.name] = stamp(entry.stat())
    return found


class KeptByStat:
    """``{name: (stat, fact)}`` from the last run; ``get`` gives a fact only for the same stat.

    ``put`` records this run's facts; :attr:`now` is what to store for the next run: only the
    names this run asked about, so a file gone from the output is forgotten with it.
    """

    def __init__(self, stored=None):
        self.stored = stored if isinstance(stored, dict) else {}
        self.now = {}

    def get(self, name, stat):
        record = self.stored.get(name)
        if record is None or list(record[0]) != stat:
            return None
        self.now[name] = record
        return record[1]

    def put(self, name, stat, fact):
        self.now[name] = [stat, fact]

    @property
    def changed(self) -> bool:
        """Whether :attr:`now` differs from what was loaded (else there is nothing to save)."""
        return self.now != self.stored
