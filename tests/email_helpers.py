"""Shared by the email tests: the real essay plus a follow-up with every block an email must carry.

The follow-up (written here, not read from content/) follows the essay with a link, an image wider
than the email's column, a table, line-numbered code and a footnote. ``outbox(tmp)`` sends both to
the outbox and returns the two messages' bytes.
"""

import shutil
from email import message_from_bytes, policy
from pathlib import Path

from PIL import Image

from conftest import BLOG
from happening import newsletter
from newsletter_helpers import site

ESSAY = "2025-03-03-what-i-learned-at-netflix-and-felt-about-anora.eml"
FOLLOWUP = "2025-03-10-anora-by-the-numbers.eml"
IMAGE_SIZE = (1200, 675)  # Twice the column: the email must say 536 x 302.

FOLLOWUP_MD = """\
Title: Anora, by the numbers
Slug: anora-by-the-numbers
Date: 2025-03-10 08:00
Category: Technology
Tags: Oscars, Anora
Follows: what-i-learned-at-netflix-and-felt-about-anora
Summary: The figures behind last week's essay, and a little code to count them.

Last week's [essay]({filename}2025-03-03-what-i-learned-at-netflix.md) argued that heart beat
the data. Here are the figures from [the Academy's site](https://www.oscars.org/) to check it
against.[^count]

![The ceremony's stage, wide]({static}/images/stage.png)

| Film | Studio | Oscars |
| --- | --- | --- |
| Anora | Neon | 5 |
| The Brutalist | A24 | 3 |

## Counting them

    #!python
    def oscars(films):
        total = 0
        for film in films:
            total += film.wins
        return total

[^count]: Counted on the night, from the broadcast.
"""


def email_site(tmp_path: Path) -> Path:
    """The published blog plus the follow-up and its image, in ``tmp_path/content``."""
    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    (content / "posts" / "2025-03-10-anora-by-the-numbers.md").write_text(FOLLOWUP_MD)
    (content / "images").mkdir()
    Image.new("RGB", IMAGE_SIZE, (200, 120, 60)).save(content / "images" / "stage.png")
    return content


def outbox(tmp_path: Path, **settings) -> dict[str, bytes]:
    """Send the essay and the follow-up to the outbox; their .eml bytes by file name."""
    content = email_site(tmp_path)
    newsletter.send(site(tmp_path, content, **settings), env={})
    return {p.name: p.read_bytes() for p in (tmp_path / "outbox").glob("*.eml")}


def parse(raw: bytes):
    return message_from_bytes(raw, policy=policy.SMTP)


def decoded_parts(message) -> list[str]:
    """Every text part, decoded (quoted-printable undone), as a reader's mail app sees it."""
    return [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
