"""Posts, read from their sources the way the email side will read them: unreadable files,
summaries (missing, or still post.new's placeholder), shared post ids, forgotten drafts.

Only posts: the files under PAGE_PATHS (or left out by ARTICLE_EXCLUDES) are pages and need
no date, summary or post id.
"""

from collections import defaultdict

from happening.dates import aware
from happening.postid import post_id

from ..newpost import SUMMARY_PLACEHOLDER
from .model import ERROR, WARNING, Problem


def check(site):
    sources, settings, now = site.sources, site.settings, site.now
    site.report.posts = len(sources.posts)
    shown = sources.shown
    problems = [
        Problem(ERROR, "post", shown(bad.path), None, bad.reason) for bad in sources.unreadable
    ]
    ids = defaultdict(list)
    for article in sources.posts:
        source = article.source_path
        ids[post_id(article, settings)].append(article)
        if article.status == "draft":
            # Dated before today: a draft started today (post.new dates it now) is not stale.
            date = aware(article.date, settings.get("TIMEZONE"))
            if date.astimezone(now.tzinfo).date() < now.date():
                problems.append(
                    Problem(
                        WARNING,
                        "draft",
                        shown(source),
                        sources.header_line(source, "Status"),
                        f"still a draft, dated {article.date:%Y-%m-%d}: publish it (delete the "
                        "Status: line) or give it a later Date:",
                    )
                )
            continue  # A draft's summary can wait until it is published.
        # No Summary: at all is fine (most migrated posts): listings, feeds and email use a
        # prose summary of the post (plugins/summary) and the page shows no dek. post.new's
        # placeholder left in place, though, would be shown to every reader.
        summary = article.metadata.get("summary") or ""
        if SUMMARY_PLACEHOLDER in summary:
            problems.append(
                Problem(
                    ERROR,
                    "summary",
                    shown(source),
                    sources.header_line(source, "Summary"),
                    "Summary: is still post.new's placeholder; write the dek",
                )
            )
    for pid, same in ids.items():
        if len(same) > 1:
            files = ", ".join(shown(a.source_path) for a in same)
            problems.append(
                Problem(
                    ERROR,
                    "post id",
                    shown(same[0].source_path),
                    sources.header_line(same[0].source_path, "Slug"),
                    f"{files} share the id {pid!r}; give one a different Slug: or an Id:",
                )
            )
    return problems
