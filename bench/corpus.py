"""A deterministic synthetic corpus of long-form Markdown posts for the build benchmarks.

    python bench/corpus.py N DIR

writes ``DIR/posts/*.md`` (N posts, 800-2,500 words each), ``DIR/pages/about.md`` and small real
PNG files in ``DIR/images/``. The same N always gives the same bytes (fixed seed), and every post
builds without a single Pelican warning under both our settings and bare Pelican's defaults:
``{filename}`` links point only at posts that exist, every image exists and has alt text.
"""

import argparse
import random
import struct
import zlib
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20260401
IMAGES = 24


def _words(text):
    return text.split()


START, END = datetime(2008, 1, 1, 8, 0), datetime(2025, 12, 1, 8, 0)

WORDS = _words("""
time year people way day man thing woman life child world school state family student group
country problem hand part place case week company system program question work government number
night point home water room mother area money story fact month lot right study book eye job word
business issue side kind head house service friend father power hour game line end member law car
city community name president team minute idea kid body information back parent face others level
office door health person art war history party result change morning reason research girl guy
moment air teacher force education foot boy age policy process music market sense nation plan
college interest death experience effect use class control care field development role effort rate
heart drug show leader light voice wife police mind price report decision son view relationship
town road arm difference value building action model season society tax director position player
record paper space ground form event official matter center couple site project activity star table
need court oil situation cost industry figure street image phone data picture practice piece land
product doctor wall patient worker news test movie north love support technology step baby computer
type attention film tree source organization hair window evidence population truth song network
""")
VERBS = _words("""
make know take see come think look want give use find tell ask work seem feel try leave call keep
hold bring begin write provide stand lose pay meet include continue set learn change lead understand
watch follow stop create speak read allow add spend grow open walk win offer remember consider
appear buy serve die send expect build stay fall cut reach remain suggest raise pass sell require
""")
ADJECTIVES = _words("""
new good high old great big small large long little young important different social public bad
early real best late hard clear strong certain whole free human local sure recent simple quiet
late strange familiar careful honest slow bright open broad narrow patient curious plain steady
""")
CATEGORIES = ["Technology", "Culture", "Film", "Books", "Work", "Science", "Politics", "Travel"]
TAGS = [
    "AI", "Streaming", "Netflix", "Oscars", "Data", "Privacy", "Cities", "Trains", "Novels",
    "Poetry", "Music", "Jazz", "Startups", "Labour", "Climate", "Energy", "Housing", "Health",
    "Sleep", "Food", "Cooking", "Design", "Typography", "Open Source", "Python", "Rust", "Web",
    "Email", "Newsletters", "Photography", "Cinema", "Television", "Games", "Chess", "Football",
    "Running", "Cycling", "Parenting", "Schools", "Universities", "Science Fiction", "History",
    "Economics", "Media", "Journalism", "Podcasts", "Radio", "Art", "Museums", "Architecture",
    "Europe", "Asia", "Africa", "Americas", "Elections", "Courts", "Space", "Biology", "Physics",
    "Maths",
]  # fmt: skip
LANGUAGES = ["python", "javascript", "bash", "sql", "rust"]
CODE = {
    "python": 'def {a}_{b}(items):\n    """Return the {a} of each {b}."""\n'
    "    return [item.{a} for item in items if item]\n\n\nprint({a}_{b}([1, 2, 3]))",
    "javascript": "function {a}{B}(items) {{\n"
    "  return items.filter(Boolean).map((x) => x.{a});\n}}\n"
    'console.log({a}{B}(["{b}"]));',
    "bash": "for f in {a}/*.md; do\n  grep -c '{b}' \"$f\"\ndone | sort -n | tail -3",
    "sql": "SELECT {a}, count(*) AS n\nFROM {b}\nWHERE {a} IS NOT NULL\nGROUP BY {a}\n"
    "ORDER BY n DESC;",
    "rust": "fn {a}_{b}(xs: &[u32]) -> u32 {{\n    xs.iter().filter(|x| **x > 0).sum()\n}}\n\n"
    'fn main() {{\n    println!("{{}}", {a}_{b}(&[1, 2, 3]));\n}}',
}


class Writer:
    """Sentences, paragraphs and blocks drawn from one seeded random source."""

    def __init__(self, rng):
        self.rng = rng

    def words(self, n):
        r = self.rng
        out = []
        for i in range(n):
            pool = VERBS if i % 4 == 1 else ADJECTIVES if i % 5 == 3 else WORDS
            out.append(r.choice(pool))
        return out

    def sentence(self, lo=8, hi=22):
        words = self.words(self.rng.randint(lo, hi))
        r = self.rng.random()
        if r < 0.06:
            i = self.rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        elif r < 0.10:
            i = self.rng.randrange(len(words))
            words[i] = f"**{words[i]}**"
        elif r < 0.13:
            i = self.rng.randrange(len(words))
            words[i] = f"`{words[i]}()`"
        elif r < 0.16:
            i = self.rng.randrange(len(words))
            words[i] = f"[{words[i]}](https://example.org/{words[i]}/{self.rng.randint(1, 999)})"
        text = " ".join(words)
        end = self.rng.choice([".", ".", ".", ".", "?", "!"])
        return text[0].upper() + text[1:] + end

    def paragraph(self, budget):
        parts, count = [], 0
        target = min(budget, self.rng.randint(40, 130))
        while count < target:
            s = self.sentence()
            parts.append(s)
            count += len(s.split())
        return " ".join(parts), count


def slug_for(i):
    return f"post-{i:05d}"


def title_for(rng, i):
    w = Writer(rng).words(rng.randint(3, 8))
    return " ".join(x.capitalize() for x in w) + f" ({i})"


def post(i, rng, dates):
    """The Markdown of post ``i``; links only to posts before it so every link resolves."""
    w = Writer(rng)
    date = dates[i]
    tags = rng.sample(TAGS, rng.randint(2, 5))
    lines = [
        f"Title: {title_for(rng, i)}",
        f"Slug: {slug_for(i)}",
        f"Date: {date:%Y-%m-%d %H:%M}",
    ]
    if rng.random() < 0.2:
        modified = min(date + timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 23)), END)
        lines.append(f"Modified: {modified:%Y-%m-%d %H:%M}")
    lines += [
        f"Category: {rng.choice(CATEGORIES)}",
        f"Tags: {', '.join(tags)}",
        f"Summary: {w.sentence(12, 30)}",
    ]
    if i > 0 and rng.random() < 0.1:
        followed = sorted({slug_for(rng.randrange(i)) for _ in range(rng.randint(1, 2))})
        lines.append(f"Follows: {', '.join(followed)}")
    lines.append("")

    target = rng.randint(800, 2500)
    written, footnotes, section = 0, [], 0
    while written < target:
        if written == 0 or rng.random() < 0.18:
            section += 1
            lines += [f"## {' '.join(w.words(rng.randint(2, 6))).capitalize()}", ""]
        roll = rng.random()
        if roll < 0.08:
            lines += [f"- {w.sentence(4, 14)}" for _ in range(rng.randint(3, 6))] + [""]
            written += 30
        elif roll < 0.12:
            lines += [f"{n}. {w.sentence(4, 14)}" for n in range(1, rng.randint(4, 7))] + [""]
            written += 30
        elif roll < 0.17:
            text, n = w.paragraph(60)
            lines += [f"> {text}", ""]
            written += n
        elif roll < 0.21:
            lang = rng.choice(LANGUAGES)
            a, b = w.words(1)[0], rng.choice(WORDS)
            code = CODE[lang].format(a=a, b=b, B=b.capitalize())
            lines += [f"```{lang}", code, "```", ""]
            written += 25
        elif roll < 0.24:
            img = rng.randrange(IMAGES)
            alt = " ".join(w.words(rng.randint(3, 7)))
            lines += [f"![{alt}]({{static}}/images/figure-{img:02d}.png)", ""]
        elif roll < 0.27:
            cols = rng.randint(2, 4)
            head = [rng.choice(WORDS).capitalize() for _ in range(cols)]
            lines.append("| " + " | ".join(head) + " |")
            lines.append("|" + "|".join(["---"] * cols) + "|")
            for _ in range(rng.randint(2, 6)):
                cells = [str(rng.randint(1, 9999)) if c else rng.choice(WORDS) for c in range(cols)]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
            written += 20
        else:
            text, n = w.paragraph(target - written)
            if i > 0 and rng.random() < 0.25:
                other = rng.randrange(i)
                text += f" As [I wrote before]({{filename}}{slug_for(other)}.md), it still holds."
            if rng.random() < 0.12:
                footnotes.append(w.sentence(6, 18))
                text += f"[^{len(footnotes)}]"
            lines += [text, ""]
            written += n
    for n, note in enumerate(footnotes, 1):
        lines.append(f"[^{n}]: {note}")
    return "\n".join(lines).rstrip("\n") + "\n"


def png(width, height, rgb):
    """A tiny valid PNG of one colour: real image files, so `{static}` links resolve."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def generate(n: int, out: Path, seed: int = SEED) -> Path:
    """Write an ``n``-post corpus into ``out`` (created; existing posts are overwritten)."""
    out = Path(out)
    rng = random.Random(seed)
    (out / "posts").mkdir(parents=True, exist_ok=True)
    (out / "pages").mkdir(exist_ok=True)
    (out / "images").mkdir(exist_ok=True)
    for k in range(IMAGES):
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (out / "images" / f"figure-{k:02d}.png").write_bytes(png(64, 40, colour))
    (out / "pages" / "about.md").write_text(
        "Title: About\nSlug: about\n\nA synthetic blog for the build benchmarks.\n", "utf-8"
    )
    # Dates spread over years in the past (never in the future: those would not be published),
    # in the same order as the post numbers.
    step = (END - START) / max(n, 1)
    dates = [START + step * i + step * rng.random() / 2 for i in range(n)]
    dates = [d.replace(second=0, microsecond=0) for d in dates]
    for i in range(n):
        (out / "posts" / f"{slug_for(i)}.md").write_text(post(i, rng, dates), "utf-8")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of posts")
    parser.add_argument("dir", type=Path, help="folder to write the corpus into")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default fixed)")
    args = parser.parse_args(argv)
    generate(args.n, args.dir, args.seed)
    print(f"wrote {args.n} posts into {args.dir}")


if __name__ == "__main__":
    main()
