"""Happening Now's library: what ``tasks.py`` calls, and what the Pelican plugins share.

Layers, each importing only from the ones below it (``tests/test_imports.py`` enforces this):

- ``happening.workflow``: the writer's tasks (check, publish, release, new post, serve).
- ``happening.build`` (runs Pelican and returns what it built), ``happening.newsletter`` (email,
  exactly once) and the Pelican plugins in ``plugins/``, importable as ``happening.plugins.*``.
- shared helpers: ``errors``, ``postid``, ``urls`` and the other single-job modules here.
"""
