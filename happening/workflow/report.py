"""How the workflow's results look in a terminal: rich renderables, printed by tasks.py."""

from pathlib import Path

from rich.table import Table
from rich.text import Text

STYLE = {"error": "bold red", "warning": "yellow"}


def check_table(report):
    """One row per problem, errors first; ``None`` when there is nothing to show."""
    if not report.problems:
        return None
    table = Table(header_style="bold", expand=True)
    table.add_column("level", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    # A long path folds rather than squeezing the message into a sliver.
    table.add_column("where", overflow="fold", ratio=2)
    table.add_column("problem", ratio=3)
    for problem in report.problems:
        table.add_row(
            Text(problem.level, style=STYLE[problem.level]),
            # Text, not str: a message quoting "[...]" must not be read as rich markup.
            Text(problem.kind),
            Text(problem.location),
            Text(problem.message),
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
