"""Make every URL in a post's HTML absolute, so links and images work inside any feed reader.

Feed readers show an entry away from the site, where ``/images/a.jpg`` or ``#fn:1`` resolve
against nothing. The HTML is parsed once per post (the caller reuses the result in every feed).
"""

import re
from urllib.parse import urljoin

import lxml.html

URL_ATTRIBUTES = ("href", "src", "poster")
_SPACE = re.compile(r"\s+")


def absolutise(html: str, base: str) -> tuple[str, str]:
    """``(html with every href/src/srcset/poster absolute against base, its plain text)``."""
    if not html or not html.strip():
        return "", ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                element.set(name, urljoin(base, value.strip()))
        srcset = element.get("srcset")
        if srcset is not None:
            element.set("srcset", absolutise_srcset(srcset, base))
    text = _SPACE.sub(" ", root.text_content()).strip()
    out = lxml.html.tostring(root, encoding="unicode")
    return out[len("<div>") : -len("</div>")], text


def absolutise_srcset(srcset: str, base: str) -> str:
    """Each candidate URL in a ``srcset`` made absolute, descriptors kept (HTML's parsing rules).

    A candidate is a URL (which may itself contain commas) then optional descriptors up to a
    comma, so the list cannot simply be split on commas.
    """
    out = []
    i, n = 0, len(srcset)
    while i < n:
        while i < n and (srcset[i].isspace() or srcset[i] == ","):
            i += 1
        start = i
        while i < n and not srcset[i].isspace():
            i += 1
        url = srcset[start:i]
        if not url:
            break
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = srcset.find(",", i)
            end = n if end == -1 else end
            descriptor = srcset[i:end].strip()
            i = end + 1
        out.append(f"{urljoin(base, url)} {descriptor}".strip())
    return ", ".join(out)
