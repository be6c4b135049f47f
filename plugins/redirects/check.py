"""``check``'s part: every redirect in the built ``_redirects`` leads to a file the build wrote."""

from pathlib import Path

from .pages import HOSTS_FILE


def broken_targets(output: Path) -> list[tuple[str, str]]:
    """``(where, message)`` for each redirect whose target is missing from ``output``."""
    output = Path(output)
    hosts = output / HOSTS_FILE
    if not hosts.is_file():
        return []
    problems = []
    for number, line in enumerate(hosts.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if len(parts) < 2 or "://" in parts[1]:
            continue  # Another site's page is not ours to check.
        target = parts[1].split("#", 1)[0].split("?", 1)[0].lstrip("/")
        path = output / target
        if not (path.is_file() or (path / "index.html").is_file()):
            problems.append(
                (
                    f"{output.name}/{HOSTS_FILE}:{number}",
                    f"the redirect from {parts[0]} goes to /{target}, which the build did not "
                    "write; fix its line in the redirect table (content/redirects.txt)",
                )
            )
    return problems
