// Search as you type, with Pagefind's index (written after each build by happening/search.py).
// Only the search page loads this file, and the index is fetched on the first query: a reader
// who never searches downloads nothing of it. The index is in shards (a bundle per year of
// posts, so a release re-indexes only the shards that changed), listed in shards.json; the
// first shard in the page's language loads Pagefind and the others are merged into it
// (Pagefind's multisite search), which ranks the results of every shard together. Results are
// the posts' title, date and the passage that matched (Pagefind's excerpt, its only markup <mark>).
const form = document.querySelector(".search-form");
const input = form.querySelector("input[name=q]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const SHOWN = 20;
let pagefind;

async function load() {
  const bundle = new URL(form.dataset.pagefind, location.href);
  // Revalidated: a release adds and replaces shards under the same name.
  const listed = await fetch(new URL("shards.json", bundle), { cache: "no-cache" });
  const { shards } = await listed.json();
  // Pagefind splits each shard by language and falls back to another language's index when a
  // shard has none of the page's: merge only the shards that have it, as one bundle searches.
  const lang = document.documentElement.lang;
  const own = shards.filter((s) => s.languages.includes(lang) || s.languages.includes(lang.split("-")[0]));
  if (!own.length) return null;
  // Absolute: Pagefind resolves a merged index's address in its worker, not from this page.
  const [first, ...others] = own.map((s) => new URL(s.path, bundle).href);
  // Every shard's results link from the site's root, as one bundle's do (Pagefind would
  // otherwise make a merged shard's links absolute and the first shard's not).
  const baseUrl = new URL("../", bundle).pathname;
  const loaded = await import(new URL("pagefind.js", first).href);
  await loaded.options({ baseUrl });
  await Promise.all(others.map((other) => loaded.mergeIndex(other, { baseUrl })));
  return loaded;
}

async function search(query) {
  // Loaded once for every query; a failed load (the network) is tried again on the next.
  pagefind ??= load().catch((error) => {
    pagefind = undefined;
    throw error;
  });
  const loaded = await pagefind;
  // null when a newer keystroke superseded this one.
  const found = loaded ? await loaded.debouncedSearch(query, {}, 150) : { results: [] };
  if (found === null || query !== input.value.trim()) return;
  const results = await Promise.all(found.results.slice(0, SHOWN).map((r) => r.data()));
  show(query, results, found.results.length);
}

function show(query, results, total) {
  list.replaceChildren(...results.map(entry));
  if (!total) status.textContent = `No post matches “${query}”.`;
  else if (total > SHOWN) status.textContent = `${total} posts match; the ${SHOWN} best:`;
  else status.textContent = `${total} post${total === 1 ? "" : "s"} match${total === 1 ? "es" : ""}:`;
}

function entry(result) {
  const item = document.createElement("li");
  const title = document.createElement("a");
  title.href = result.url;
  title.textContent = result.meta.title || result.url;
  const heading = document.createElement("h2");
  heading.append(title);
  item.append(heading);
  if (result.meta.date) {
    const date = document.createElement("p");
    date.className = "post-meta";
    date.textContent = result.meta.date;
    item.append(date);
  }
  const excerpt = document.createElement("p");
  excerpt.innerHTML = result.excerpt; // Pagefind escapes the text; it adds only <mark>.
  item.append(excerpt);
  return item;
}

function clear() {
  list.replaceChildren();
  status.textContent = "";
}

input.addEventListener("input", () => {
  const query = input.value.trim();
  if (query) search(query);
  else clear();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value.trim();
  history.replaceState(null, "", query ? `?q=${encodeURIComponent(query)}` : location.pathname);
  if (query) search(query);
});

// A search sent without JavaScript, or a shared link: ?q=...
const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial.trim());
}
