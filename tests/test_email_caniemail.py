"""The email's HTML and CSS against caniemail data, for the clients our readers use.

``@jsx-email/doiuse-email`` (pinned in tools/caniemail/package-lock.json, installed there by
``./inv test``) reads caniemail.com's data; Node is Debian's ``nodejs``. Every feature it reports
unsupported must be in ALLOWED, with the reason the email still reads well without it.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from email_helpers import ESSAY, FOLLOWUP, decoded_parts, parse

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "tools" / "caniemail"
# Gmail (web, iOS, Android), Apple Mail, Outlook (Windows, Mac, web, phones), Yahoo, Thunderbird.
CLIENTS = ["gmail.*", "apple-mail.*", "outlook.*", "yahoo.*", "thunderbird.*"]

# The one list of what the email uses although some client ignores it, and why that is harmless.
ALLOWED = {
    "@media": "only dark mode and narrower padding on phones; without it the email is the light, "
    "one-column layout, which reads well everywhere",
    "<body> element": "clients that replace <body> with a <div> lose its background, so the "
    "wrapper table carries the same background colour",
    "display:none": "hides the preheader; where ignored (Gmail's mobile web) the reader sees the "
    "summary once more above the title, and the padding after it is invisible characters",
    "role attribute": "ARIA for screen readers (presentation tables); a client that drops it "
    "shows the same email",
}


def unsupported(html: str) -> list[str]:
    node = shutil.which("node")
    assert node, "caniemail check: Node is missing; `./inv test` installs Debian's nodejs"
    assert (CHECKER / "node_modules" / "@jsx-email" / "doiuse-email").is_dir(), (
        "caniemail check: run `./inv test` once (it runs `npm ci` in tools/caniemail)"
    )
    result = subprocess.run(
        [node, str(CHECKER / "check.mjs"), *CLIENTS],
        input=html,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)["errors"]


def feature(error: str) -> str:
    # "`@media` is not supported by `outlook.windows`" -> "@media"
    return error.split("`")[1]


@pytest.fixture(scope="module")
def emails(sent_emails):
    return {name: decoded_parts(parse(sent_emails[name]))[1] for name in (ESSAY, FOLLOWUP)}


@pytest.mark.parametrize("name", [ESSAY, FOLLOWUP])
def test_only_allowed_features_are_unsupported_anywhere(emails, name):
    errors = unsupported(emails[name])
    assert errors, "doiuse-email reported nothing at all: is it reading the email?"
    surprises = sorted({e for e in errors if feature(e) not in ALLOWED})
    assert surprises == [], surprises


def test_the_checker_catches_what_the_issue_found():
    # What the old email used: each one flagged for Outlook for Windows or Yahoo.
    html = (
        "<html><body><div style='opacity: 0; overflow: hidden'>x</div>"
        "<pre style='white-space: pre-wrap'>code</pre></body></html>"
    )
    flagged = {feature(e) for e in unsupported(html)}
    assert {"opacity", "overflow", "white-space"} <= flagged, flagged
