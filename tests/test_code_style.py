"""The syntax colours (theme/static/css/code.css): readable in both schemes, every class used."""

import re

from test_theme import CSS, _tokens, contrast

CODE_CSS = CSS.parent / "code.css"


def _schemes(css):
    light_part, _, dark_part = css.partition("@media (prefers-color-scheme: dark)")
    light = _tokens(light_part)
    return light, {**light, **_tokens(dark_part.split("}")[0])}


def test_every_code_colour_meets_wcag_aa_on_the_code_background_in_both_schemes():
    site_light, site_dark = _schemes(CSS.read_text())
    code_light, code_dark = _schemes(CODE_CSS.read_text())
    assert code_light["code-text"] != code_dark["code-text"]
    for scheme, site, code in (("light", site_light, code_light), ("dark", site_dark, code_dark)):
        for name, colour in code.items():
            ratio = contrast(colour, site["surface"])
            assert ratio >= 4.5, f"{scheme}: --{name} on --surface is {ratio:.2f}:1"


def test_every_colour_token_is_used():
    css = CODE_CSS.read_text()
    light, _ = _schemes(css)
    for name in light:
        assert f"var(--{name})" in css, f"--{name} is defined but never used"
    assert re.search(r"\.linenos a,\s*\.linenodiv a \{[^}]*text-decoration: none", css)
