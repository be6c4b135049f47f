"""Export timestamps (ISO 8601, Z or offset, or naive UTC) read as aware datetimes.

Not ``happening.dates.aware``: that reads a writer's ``Date:`` in the site's TIMEZONE, while
every export read here writes UTC (Substack's ``Z`` times, Ghost's and WordPress's GMT columns).
"""

from datetime import UTC, datetime


def parse_time(value: str) -> datetime | None:
    """``value`` as an aware datetime (naive means UTC, as every export here writes); "" -> None.

    Raises ValueError on anything else, for the importer to name the file and row.
    """
    value = (value or "").strip()
    if not value:
        return None
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
