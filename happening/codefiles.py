"""The code files a cache's key covers, each read and hashed only when its stat has changed.

Two keys cover code: the production reuse's (``workflow/reuse.py``: settings files, theme,
plugins, this package) and fastbuild's page cache's (``plugins/fastbuild/pages.py``: theme and
plugins). Both list every file of their roots in one stable order, by name and the digest of its
bytes. A release hashed ~300 files twice (~0.02 s each time) though they had not changed since
the last build: a file's digest is now kept in a record beside the cache, with the file's stat
(size, times, inode: any write changes one, see ``filestat.py``), and taken again while the stat
is the same.
"""

import hashlib
import json
import logging
import os
import stat
import time
from pathlib import Path

from happening import filestat
from happening.atomic import write_atomically

log = logging.getLogger(__name__)

# A file changed this recently may change again within the file system's clock tick, the same
# size, and keep its stat (git's "racy" files): it is hashed again until it has been still a while.
RACY_NS = 2_000_000_000


def files(roots):
    """``(name, path, stat)`` of every file of ``roots`` (folders, or single files): a folder's
    named relative to it, a single file by its path; ``__pycache__`` left out.

    In the order of ``sorted(Path(folder).rglob("*"))`` (by path parts), a link to a folder not
    entered, as it would list them, but walked with ``os.walk`` and each file stat'ed once:
    ~300 files, pathlib's paths and a second stat of each were ~0.02 s of every release."""
    for root in roots:
        base = str(root)
        if os.path.isfile(base):
            yield base, base, os.stat(base)
        elif os.path.isdir(base) and "__pycache__" not in Path(base).parts:
            found = []
            for folder, dirs, names in os.walk(base):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                under = os.path.relpath(folder, base).split(os.sep) if folder != base else []
                for name in names:
                    path = os.path.join(folder, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue  # A dangling link: no file to hash, as Path.is_file says.
                    if stat.S_ISREG(st.st_mode):
                        found.append(([*under, name], path, st))
            found.sort(key=lambda entry: entry[0])
            for parts, path, st in found:
                yield os.sep.join(parts), path, st


def feed(h, roots, record: Path | None):
    """Feed ``h`` each file of ``roots`` (see :func:`files`) by name and its bytes' digest.

    ``record``: the JSON file the digests are kept in, by path and stat, from one call to the
    next (None: every file is read and hashed). Losing it costs only the hashing."""
    known = _load(record) if record is not None else {}
    now = {}
    settled = time.time_ns() - RACY_NS
    for name, path, st in files(roots):
        stamp = filestat.stamp(st)
        old = known.get(path)
        if old is not None and old[0] == stamp:
            digest = old[1]
        else:
            with open(path, "rb") as f:
                digest = hashlib.blake2b(f.read(), digest_size=16).hexdigest()
        if max(st.st_mtime_ns, st.st_ctime_ns) < settled:
            now[path] = [stamp, digest]
        h.update(f"{name}\0{digest}\0".encode())
    if record is not None and now != known:
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(record, json.dumps(now, sort_keys=True), fsync=False)
        except OSError as exc:  # Only the next build's speed depends on it.
            log.debug("could not keep the code digests in %s (%s)", record, exc)


def _load(record: Path) -> dict:
    try:
        found = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
