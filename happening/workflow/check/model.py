"""What `check` reports: one :class:`Problem` per finding, gathered in a :class:`Report`."""

from dataclasses import dataclass, field
from pathlib import Path

from happening.errors import UserError

ERROR, WARNING = "error", "warning"


class CheckFailed(UserError):
    """`check` found errors; publishing stops until they are fixed."""


@dataclass(frozen=True)
class Problem:
    level: str  # ERROR or WARNING
    kind: str  # link, file, alt, summary, feed, post id, draft, weight, post
    where: str  # the source file (content/posts/x.md) when known, else the output file
    line: int | None
    message: str

    @property
    def location(self):
        return f"{self.where}:{self.line}" if self.line else self.where


@dataclass
class Report:
    output: Path
    pages: int = 0
    feeds: int = 0
    posts: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self):
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self):
        return [p for p in self.problems if p.level == WARNING]

    @property
    def ok(self):
        return not self.errors

    def raise_for_errors(self):
        if self.errors:
            raise CheckFailed(
                f"check: {len(self.errors)} error(s) in {self.output.name}/; fix them, build "
                "and run `./inv check` again"
            )
