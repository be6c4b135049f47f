"""Template files checked once per build (fastbuild/templates.py): not re-checked while the
build writes, checked again once it is over (the byte comparison of a whole fast build with a
plain one is test_fastbuild.py's)."""

from types import SimpleNamespace

import jinja2
from pelican import signals

from conftest import TEST_SITE, build_into
from happening.plugins.fastbuild import templates


def test_an_environment_is_held_until_released():
    env, off = jinja2.Environment(), jinja2.Environment(auto_reload=False)
    templates.hold(SimpleNamespace(env=env))
    templates.hold(SimpleNamespace(env=off))
    templates.hold(SimpleNamespace())  # a generator without templates
    assert env.auto_reload is False
    templates.release()
    assert env.auto_reload is True
    assert off.auto_reload is False  # the writer's own choice is left as it was


def test_a_build_holds_its_generators_environments_and_releases_them(tmp_path):
    seen = []

    def note(generator):
        seen.append((generator.env, generator.env.auto_reload))

    signals.article_generator_finalized.connect(note)
    try:
        build_into(tmp_path / "out", TEST_SITE, FASTBUILD_WORKERS=2)
    finally:
        signals.article_generator_finalized.disconnect(note)
    assert [held for _, held in seen] == [False]
    assert [env.auto_reload for env, _ in seen] == [True]
