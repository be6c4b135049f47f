"""The Pelican plugins of this project, importable as ``happening.plugins.<name>``.

Each sub-package is one plugin with a ``register()`` that connects Pelican signals; the
settings files list them by that dotted name, which no ``pelican.plugins.*`` namespace package
(``pelican-sitemap``, say) can shadow. They import only the shared helpers in ``happening``.
"""
