"""Words and tables for the tasks: what send did, and the status of every post."""

import io
import os
import shutil

from rich.console import Console
from rich.table import Table

_VERBS = {
    "sent": "sent",
    "scheduled": "scheduled",
    "draft": "draft created",
    "test": "test copy",
    "done": "already out",
    "skip": "skipped",
    "would send": "would send",
    "baseline": "recorded",
}


def format_report(report) -> str:
    """One line per post, then where to look."""
    lines = []
    for step in report.steps:
        verb = report.verbs.get(step.action) or _VERBS.get(step.action, step.action)
        detail = f" ({step.reason})" if step.reason else ""
        lines.append(f"newsletter: {verb}: {step.post.title}{detail}")
    if report.nothing_new and not report.dry_run and not report.sent:
        lines.append(f"newsletter: {report.nothing_new}")
    for path in report.files:
        lines.append(f"Open the email in any mail program: {_relative(path)}")
    if not report.steps:
        lines.append("newsletter: no published posts")
    if report.refused:
        lines.append(
            f"newsletter: {report.refused} recipient(s) refused for good: they are on the "
            "suppression list now; see `./inv newsletter.status`"
        )
    return "\n".join(lines)


def format_status(rows, provider, width=None) -> str:
    """The status table (plain text) and the provider in use, ``width`` columns wide.

    The default is the terminal's width (``COLUMNS`` when set; 140 when output is not a
    terminal, as before): long cells fold onto more lines instead of running off the edge.
    """
    width = width or shutil.get_terminal_size((140, 24)).columns
    table = Table(title=f"Newsletter (provider: {provider})", title_justify="left")
    for column in ("date", "post", "state", "when", "via", "remote id", "send would"):
        # The date stays whole; the rest folds onto more lines in a narrow terminal.
        table.add_column(column, overflow="fold", no_wrap=column == "date")
    for row in rows:
        table.add_row(
            row["date"],
            row["title"],
            row["state"],
            row["when"],
            row["provider"],
            row["remote_id"] or "",
            row["next"],
        )
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(table)
    return buffer.getvalue().rstrip()


def _relative(path):
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
