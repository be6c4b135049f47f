"""Each template file checked for changes once per build, not at every page that uses it.

Jinja's ``auto_reload`` (on by default, and Pelican leaves it on) makes every ``get_template``
ask the disk whether the file changed since it was compiled: a ``stat`` for each template a page
extends, includes or imports, ~14,000 of them in the main process alone at 1,000 posts, and as
many again in the render helpers. Nothing edits the theme in the middle of a build, and a
template is still read from disk the first time a build asks for it, so from each generator's
creation (``generator_init``) to the end of the build its environment keeps what it compiled;
``finalized`` turns ``auto_reload`` back on, so a process that builds again (the live preview)
sees an edited template as before.
"""

import weakref

_held = []  # weak references to the environments switched off in this build


def hold(generator):
    """``generator_init``: the generator's Jinja environment stops re-checking template files."""
    env = getattr(generator, "env", None)
    if env is not None and getattr(env, "auto_reload", False) is True:
        env.auto_reload = False
        _held.append(weakref.ref(env))


def release(*_):
    """``initialized``/``finalized``: every environment held checks its templates again."""
    while _held:
        env = _held.pop()()
        if env is not None:
            env.auto_reload = True
