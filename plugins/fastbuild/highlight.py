"""Code blocks highlighted with one Pygments formatter per set of options, in the Markdown workers.

Python-Markdown's codehilite makes a new ``HtmlFormatter`` for every code block, and each one
builds its whole stylesheet from the Pygments style first (``_create_stylesheet``): ~4 ms a
block, 4% of the workers' time on the bench corpus, for objects that are all alike. Given a
formatter factory through its documented ``pygments_formatter`` option, codehilite asks the
factory instead; ours makes the formatter codehilite would have made (``HtmlFormatter`` with the
same options) once per distinct set of options and hands it out again. An ``HtmlFormatter``
keeps nothing from one block to the next but a cache of the same span tags, so the HTML is the
same byte for byte. Only the workers' copy of the settings gets it: the settings Pelican and the
page cache see are left as the writer wrote them.
"""

import copy

from pygments.formatters.html import HtmlFormatter

CODEHILITE = ("markdown.extensions.codehilite", "codehilite")


class SharedFormatters:
    """A ``pygments_formatter`` for codehilite: one ``HtmlFormatter`` per set of options."""

    def __init__(self):
        self.made = {}

    def __call__(self, lang_str=None, **options):
        # lang_str is what codehilite adds for a formatter of the writer's own; codehilite's
        # default ("html", by name) is made without it, so ours is too.
        key = repr(sorted(options.items()))
        formatter = self.made.get(key)
        if formatter is None:
            formatter = self.made[key] = HtmlFormatter(**options)
        return formatter


def with_shared_formatters(settings):
    """``settings`` for a worker's reader: codehilite's default formatter, made once per options.

    Unchanged (the same object) when codehilite is not configured by name or the writer chose
    a formatter of their own.
    """
    configs = (settings.get("MARKDOWN") or {}).get("extension_configs") or {}
    names = [name for name in CODEHILITE if name in configs]
    if not names or any(configs[n].get("pygments_formatter", "html") != "html" for n in names):
        return settings
    markdown = copy.deepcopy(settings["MARKDOWN"])
    for name in names:
        markdown["extension_configs"][name]["pygments_formatter"] = SharedFormatters()
    return {**settings, "MARKDOWN": markdown}
