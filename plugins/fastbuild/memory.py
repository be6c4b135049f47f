"""What a long-lived build process keeps between its builds, with FASTBUILD_KEEP_IN_MEMORY.

The live preview builds many times in one process. Reading the page cache's records from
``CACHE_PATH`` and pickling them back after every build costs time for nothing there: the records
stay here instead, keyed by their cache file, and are only as good as that file would be (the
same code digest; ``LOAD_CONTENT_CACHE`` off ignores them, as it ignores the file).
"""

import jinja2

_kept = {}  # cache file -> (code digest, entries)
_finished = 0  # Builds that reached the end and kept their records.
# The last build's write_file calls, for the live preview's hot path to replay:
# key -> [(name, template, context, args, kwargs), deps], deps the (source path, body hash) of
# every post body the page read (None while a helper process renders it).
_calls = {}
# key -> {output file: source paths of the post bodies it read}, from the build that last
# rendered the call: one listing call writes every page of its pagination, and an edit shows on
# few of them. Kept across builds (a reused call read what it read then), emptied by forget().
_files = {}


def recall(cache_file, code):
    """The entries kept for ``cache_file`` under ``code``, or None."""
    kept = _kept.get(str(cache_file))
    if kept is None or kept[0] != code:
        return None
    return kept[1]


def keep(cache_file, code, entries):
    global _finished
    _kept[str(cache_file)] = (code, entries)
    _finished += 1


def note_call(key, call, deps, files=None):
    _calls[key] = [call, deps]
    if files is not None:
        _files[key] = files


def note_deps(key, deps, files):
    _calls[key][1] = deps
    _files[key] = files


def files_read(key) -> dict | None:
    """``{output file: source paths read}`` for one call, or None if not known."""
    return _files.get(key)


def calls() -> dict:
    """The last build's calls (only complete if the build reached its end: see ``finished``)."""
    return dict(_calls)


def forget_calls():
    """Drop the recorded calls: they hold a whole build's posts and context."""
    _calls.clear()


def finished() -> int:
    """How many builds have kept their records: one that stopped half-way did not."""
    return _finished


class KeptTemplates(jinja2.BytecodeCache):
    """Compiled templates kept between builds (Pelican makes a new Jinja environment each time).

    Jinja checks each template's source against the checksum stored with its code, so an edited
    template is compiled afresh. Its key does not hold the environment's options, which is why
    :func:`forget` (every full build, so every settings change) empties it. Given to Jinja through
    Pelican's ``JINJA_ENVIRONMENT`` setting; its ``repr`` is fixed so that fastbuild's page
    digests (which describe every setting) stay the same from one build to the next.
    """

    def __init__(self):
        self._code = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self):
        self._code.clear()

    def __repr__(self):
        return "KeptTemplates()"


TEMPLATES = KeptTemplates()


def forget():
    """Drop everything kept (a full build starts from nothing)."""
    _kept.clear()
    _calls.clear()
    _files.clear()
    TEMPLATES.clear()


def last_build() -> dict:
    """What the last build rendered and reused: ``{"rendered": n, "reused": n, ...}``."""
    from .pages import last_build  # pages imports this module.

    return dict(last_build)
