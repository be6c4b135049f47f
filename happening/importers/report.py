"""What ``invoke import`` prints: each post's file, the redirects and the ledger, in plain lines."""

from .run import ImportReport

VERBS = {"written": "write", "unchanged": "keep", "clash": "clash"}
PAST = {"written": "wrote", "unchanged": "kept", "clash": "clash"}


def format_import(report: ImportReport) -> str:
    verbs = VERBS if report.dry_run else PAST
    head = f"import {report.source}" + (" (dry run: nothing is written)" if report.dry_run else "")
    lines = [head]
    for outcome in report.outcomes:
        note = ""
        if outcome.action == "unchanged":
            note = "  (imported before; left as it is)"
        elif outcome.action == "clash":
            note = "  (another post has this file name: rename one, then import again)"
        elif outcome.post.draft:
            note = f"  (as a draft: {outcome.post.draft_reason})"
        lines.append(f"  {verbs[outcome.action]:<6} {outcome.file}  Id: {outcome.post.guid}{note}")
    live = [r for r in report.redirects if not r[2]]
    waiting = len(report.redirects) - len(live)
    verb = "would add" if report.dry_run else "added"
    lines.append(
        f"redirects: {verb} {len(live)} to {report.redirect_file}"
        + (f", and {waiting} commented out until their drafts are published" if waiting else "")
    )
    lines += [f"  {old} -> /{new}" for old, new, note in live]
    recorded = [o for o in report.outcomes if o.recorded]
    verb = "would record" if report.dry_run else "recorded"
    lines.append(
        f"ledger: {verb} {len(recorded)} post(s) as already sent in {report.ledger_file} "
        "(newsletter.send will not email them)"
    )
    if report.others_unrecorded:
        lines.append(
            f"warning: {report.others_unrecorded} post(s) already in content/posts/ are not in "
            "the ledger, which this import starts: newsletter.send would email them; run "
            "`./inv newsletter.baseline` first if your readers already had them"
        )
    copied = sum(len(o.images) for o in report.outcomes)
    if copied:
        lines.append(f"images: {copied} copied into content/images/ from the export")
    remote = [(o.file, url) for o in report.outcomes for url in o.remote]
    if remote:
        lines.append(
            "images still on the old host (download them into content/images/ to keep them):"
        )
        lines += [f"  {file}: {url}" for file, url in remote]
    return "\n".join(lines)
