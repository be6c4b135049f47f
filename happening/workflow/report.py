"""How the workflow's results look in a terminal: rich renderables, printed by tasks.py."""

from collections import Counter
from pathlib import Path

from rich.table import Table
from rich.text import Text

STYLE = {"error": "bold red", "warning": "yellow"}
# Warnings of one kind shown before the rest are counted in one row: a 1,000-post blog over the
# page budget has a weight warning on most of its pages, and a table of ~850 rows buried the
# rest of a release's report (and took rich ~0.3 s to lay out, each release). Errors: all.
WARNINGS_SHOWN = 10


def check_table(report, *, every=False, more_hint="`./inv check --all` lists every one"):
    """One row per problem, errors first; ``None`` when there is nothing to show.

    Past :data:`WARNINGS_SHOWN` warnings of a kind, one row says how many more there are and
    ``more_hint`` (how to see them all), unless ``every``.
    """
    if not report.problems:
        return None
    table = Table(header_style="bold", expand=True)
    table.add_column("level", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    # A long path folds rather than squeezing the message into a sliver.
    table.add_column("where", overflow="fold", ratio=2)
    table.add_column("problem", ratio=3)
    warnings = Counter()  # of each kind so far
    for problem in report.problems:
        if problem.level == "warning" and not every:
            warnings[problem.kind] += 1
            if warnings[problem.kind] > WARNINGS_SHOWN:
                continue
        table.add_row(
            Text(problem.level, style=STYLE[problem.level]),
            # Text, not str: a message quoting "[...]" must not be read as rich markup.
            Text(problem.kind),
            Text(problem.location),
            Text(problem.message),
        )
    for kind, count in warnings.items():
        if count <= WARNINGS_SHOWN:
            continue
        count -= WARNINGS_SHOWN
        table.add_row(
            Text("warning", style=STYLE["warning"]),
            Text(kind),
            Text(f"... {count} more"),
            Text(f"{count} more {kind!r} warning(s) like the ones above; {more_hint}"),
        )
    return table


def short(path):
    """``path`` relative to the working folder when it is inside it: shorter to read."""
    path = Path(path).resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def check_summary(report):
    """A one-line verdict: what was checked and how it went."""
    where = short(report.output)
    checked = f"{report.pages} pages, {report.feeds} feeds, {report.posts} posts in {where}/"
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        return Text.from_markup(
            f"[bold red]✗ {errors} error(s)[/], {warnings} warning(s) — checked {checked}"
        )
    if warnings:
        return Text.from_markup(
            f"[yellow]✓ no errors, {warnings} warning(s)[/] — checked {checked}"
        )
    return Text.from_markup(f"[green]✓ all good[/] — checked {checked}")
