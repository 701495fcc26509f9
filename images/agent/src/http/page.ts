// What a browser fetches after the base HTML: the objects the page embeds (`src` of img, script,
// iframe…, and stylesheets), not the pages it links to. Pure: the HTML text and its URL in, the
// absolute http URLs of the objects out, in page order, each once.

const SRC = /<(?:img|script|iframe|embed|source|audio|video|input)\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const STYLESHEET = /<link\b(?=[^>]*\brel\s*=\s*["']?stylesheet)[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

export function embeddedObjects(html: string, pageUrl: URL): URL[] {
  const refs: { at: number; ref: string }[] = [];
  for (const re of [SRC, STYLESHEET]) {
    for (const m of html.matchAll(re)) refs.push({ at: m.index ?? 0, ref: (m[1] ?? m[2] ?? m[3] ?? '').replace(/&amp;/g, '&') });
  }
  const seen = new Set<string>();
  const urls: URL[] = [];
  for (const { ref } of refs.sort((a, b) => a.at - b.at)) {
    let url: URL;
    try {
      url = new URL(ref, pageUrl);
    } catch {
      continue;
    }
    url.hash = '';
    if (url.protocol !== 'http:' || seen.has(url.href)) continue;
    seen.add(url.href);
    urls.push(url);
  }
  return urls;
}
