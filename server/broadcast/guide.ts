// Programme guide formats for set-top boxes and media players (PURE): XMLTV and the extended M3U.
import { DateTime } from 'luxon';

export interface GuideChannel {
  id: number;
  number: number;
  name: string;
  description: string;
  logo: string | null;
}

export interface GuideProgramme extends PublicProgramme {
  channelId: number;
  start: number;
  end: number;
}

/**
 * The id a channel has in XMLTV and as tvg-id in the M3U (they must match for players to join them): RFC 2838
 * style, "<number>.<domain>", stable for as long as the channel keeps its number.
 */
export function xmltvId(channel: Pick<GuideChannel, 'number'>, domain: string): string {
  return `${channel.number}.${domain}`;
}

/** What the public may read of a scheduled program: drafts (unpublished) are announced neutrally. */
export interface PublicProgramme {
  title: string;
  description: string;
  category: string | null;
  episode: number | null;
}

export function publicProgramme(
  p: { title: string; description: string; category: string | null; episode: number | null; published: 0 | 1 } | undefined,
  channelName: string,
  tba: string,
): PublicProgramme {
  if (!p) return { title: channelName, description: '', category: null, episode: null };
  if (p.published !== 1) return { title: tba, description: '', category: null, episode: null };
  return { title: p.title, description: p.description, category: p.category, episode: p.episode };
}

// XML 1.0 forbids most control characters even escaped; drop them.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** XMLTV time: 'YYYYMMDDhhmmss +hhmm' in the province's zone. */
function xmltvTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyyLLddHHmmss ZZZ');
}

/** An absolute URL for a logo given as a path (relative to the server when baseUrl is ''). */
function absolute(baseUrl: string, url: string): string {
  return /^https?:\/\//i.test(url) ? url : `${baseUrl}${url.startsWith('/') ? '' : '/'}${url}`;
}

export function xmltv(channels: GuideChannel[], programmes: GuideProgramme[], zone: string, baseUrl: string, idDomain: string): string {
  const ids = new Map(channels.map((c) => [c.id, xmltvId(c, idDomain)]));
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE tv SYSTEM "xmltv.dtd">',
    '<tv generator-info-name="dangyuan-broadcast" source-info-name="provincial broadcast server">',
  ];
  for (const c of channels) {
    out.push(`  <channel id="${xmlEscape(ids.get(c.id)!)}">`);
    out.push(`    <display-name lang="zh">${xmlEscape(c.name)}</display-name>`);
    out.push(`    <display-name>${c.number}</display-name>`);
    if (c.logo) out.push(`    <icon src="${xmlEscape(absolute(baseUrl, c.logo))}"/>`);
    out.push(`    <url>${xmlEscape(`${baseUrl}/live/channels/${c.id}/master.m3u8`)}</url>`);
    out.push('  </channel>');
  }
  for (const p of programmes) {
    const channel = ids.get(p.channelId);
    if (!channel) continue;
    out.push(`  <programme start="${xmltvTime(p.start, zone)}" stop="${xmltvTime(p.end, zone)}" channel="${xmlEscape(channel)}">`);
    out.push(`    <title lang="zh">${xmlEscape(p.title || '—')}</title>`);
    if (p.description.trim()) out.push(`    <desc lang="zh">${xmlEscape(p.description)}</desc>`);
    if (p.category) out.push(`    <category lang="zh">${xmlEscape(p.category)}</category>`);
    if (p.episode !== null) out.push(`    <episode-num system="onscreen">${p.episode}</episode-num>`);
    out.push('  </programme>');
  }
  out.push('</tv>');
  return out.join('\n') + '\n';
}

/** Attribute values in #EXTINF lines cannot hold double quotes or line breaks. */
function m3uAttr(value: string): string {
  return value.replace(/["\r\n]/g, ' ').trim();
}

/** The extended M3U channel list IPTV players import: each channel's live master playlist, with its guide id. */
export function channelsM3u(channels: GuideChannel[], baseUrl: string, group: string, idDomain: string): string {
  const out = [`#EXTM3U url-tvg="${baseUrl}/epg.xml" x-tvg-url="${baseUrl}/epg.xml"`];
  for (const c of channels) {
    const logo = c.logo ? ` tvg-logo="${m3uAttr(absolute(baseUrl, c.logo))}"` : '';
    out.push(
      `#EXTINF:-1 tvg-id="${m3uAttr(xmltvId(c, idDomain))}" tvg-name="${m3uAttr(c.name)}" tvg-chno="${c.number}"${logo} group-title="${m3uAttr(group)}",${m3uAttr(c.name)}`,
      `${baseUrl}/live/channels/${c.id}/master.m3u8`,
    );
  }
  return out.join('\n') + '\n';
}
