"""Every imported post is recorded as already sent, so the first ``send`` emails nobody.

Kept in this one function on purpose: the ledger's identity fields are the newsletter's to
define, and this is the only place the importers touch them.
"""

from happening.newsletter.ledger import Ledger


def record_as_sent(ledger: Ledger, post_id: str, *, finished, title, url, slug, source, date):
    """Record ``post_id`` as done (``baseline`` via ``import``) unless the ledger has it already.

    Returns True when it was recorded now. A post the ledger already knows (sent for real, or
    recorded by an earlier import) is left exactly as it is.
    """
    if ledger.get(post_id):
        return False
    ledger.update(
        post_id,
        state="baseline",
        provider="import",
        finished=finished.isoformat(),
        title=title,
        url=url,
        slug=slug,
        source=source,
        date=date.isoformat(),
    )
    return True
