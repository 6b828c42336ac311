// Search on a remote: no keyboard, and Chinese cannot be typed with arrows. The viewer picks characters
// from a grid made of the characters that occur in the titles still matching, so every pick narrows the
// list and no pick leads to nothing. Pure.

export interface Searchable {
  title: string;
  lecturer?: string;
  seriesTitle?: string | null;
}

export function normalise(text: string): string {
  // Full-width ASCII (common in Chinese titles) to half-width, then lower case.
  return text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).toLowerCase();
}

function haystack(item: Searchable): string {
  return normalise([item.title, item.seriesTitle ?? '', item.lecturer ?? ''].join('\n'));
}

/** Items whose title, series or lecturer contain every space-separated part of the query, in catalog order. */
export function filterItems<T extends Searchable>(items: readonly T[], query: string): T[] {
  const parts = normalise(query).split(/\s+/).filter(Boolean);
  if (parts.length === 0) return [...items];
  return items.filter((item) => {
    const h = haystack(item);
    return parts.every((p) => h.includes(p));
  });
}

const ASCII_ALNUM = /[0-9a-z]/;
const SKIP = /[\s\p{P}\p{S}]/u;

/**
 * The characters to offer after `query`: those occurring in the titles/series/lecturers of the items that
 * match it and that, appended, still match something (so no pick leads to an empty list). Most frequent
 * first (ties in code point order), at most `limit`. Letters and digits are left out: the keypad always
 * offers them.
 */
export function characterGrid(items: readonly Searchable[], query = '', limit = 60): string[] {
  const matching = filterItems(items, query);
  const counts = new Map<string, number>();
  for (const item of matching) {
    for (const ch of new Set(Array.from(haystack(item)))) {
      if (SKIP.test(ch) || ASCII_ALNUM.test(ch)) continue;
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([ch]) => ch)
    .filter((ch) => filterItems(matching, query + ch).length > 0)
    .slice(0, limit);
}

export const KEYPAD = Array.from('0123456789abcdefghijklmnopqrstuvwxyz');
