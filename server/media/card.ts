// The still title card that gives an audio-only talk a picture, so it can go on a channel.
import { execFileSync } from 'node:child_process';

let cachedFont: string | null | undefined;

/** A font file with Chinese glyphs (WenQuanYi Zen Hei where installed), or null to let ffmpeg pick one. */
export function cjkFontFile(): string | null {
  if (cachedFont !== undefined) return cachedFont;
  cachedFont = null;
  for (const family of ['WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Noto Sans SC']) {
    try {
      const file = execFileSync('fc-match', ['-f', '%{file}', `${family}:lang=zh-cn`], { encoding: 'utf8' }).trim();
      if (file && /(wqy|cjk|noto|zenhei|hei|song|ming)/i.test(file)) {
        cachedFont = file;
        break;
      }
    } catch {
      // fontconfig missing: fall back to ffmpeg's default font
    }
  }
  return cachedFont;
}

/** PURE: breaks a title into lines of at most `maxUnits` (a CJK character counts 2, Latin 1). */
export function wrapTitle(title: string, maxUnits = 40, maxLines = 3): string[] {
  const units = (ch: string) => (/[\u2e80-\uffff]/.test(ch) ? 2 : 1);
  const lines: string[] = [];
  let line = '';
  let width = 0;
  // Latin words stay whole; CJK breaks anywhere.
  const tokens = title.trim().match(/[A-Za-z0-9'’\-.,:;!?()]+\s*|\s+|./gu) ?? [];
  for (const token of tokens) {
    const w = [...token].reduce((s, c) => s + units(c), 0);
    if (width + w > maxUnits && line.trim()) {
      lines.push(line.trim());
      line = '';
      width = 0;
    }
    line += token;
    width += w;
  }
  if (line.trim()) lines.push(line.trim());
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = kept[maxLines - 1].replace(/.$/u, '…');
    return kept;
  }
  return lines.length ? lines : [''];
}

/** A path is used inside a filter graph only when it needs no escaping there. */
export function safeInFilter(value: string): boolean {
  return !/[\\'":,;[\]=]/.test(value);
}
