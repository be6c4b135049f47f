"""Old URLs keep working: a static redirect page per old path, and a ``_redirects`` file."""

from .check import broken_targets
from .pages import register
from .table import add_lines, listed, read_table, table_path

__all__ = ["add_lines", "broken_targets", "listed", "read_table", "register", "table_path"]
