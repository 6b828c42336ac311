// Which /media/* paths the agent serves and may fetch from the server with its site token. Only program files
// have a reason to pass, always inside a version folder: programs/<id>/v<n>/<file> or programs/<id>/v<n>/<rung>/<file>. The check runs on the path as it
// came over the wire, before any decoding: a legitimate media path never needs a percent sign or a backslash,
// so refusing both closes encoded separators (%2F, %5C), encoded dots (%2e) and double encoding (%252e) at once,
// and the WHATWG URL parser (which turns "\" into "/" and folds "..") never sees anything it could rewrite.

export interface ProgramMediaPath {
  /** Relative to the media root, e.g. 'programs/12/v2/240p/seg_00003.ts'. */
  path: string;
  programId: number;
}

const PROGRAM_FILE =
  /^programs\/([1-9]\d{0,9})\/v[1-9]\d{0,8}\/(?:(\d{3,4}p)\/)?([A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\.[A-Za-z0-9]{1,8}){1,2})$/;

/**
 * The program file a raw request path names (`rawTail` is what follows '/media/', query string removed), or
 * null when it is anything else.
 */
export function programMediaPath(rawTail: string): ProgramMediaPath | null {
  if (rawTail.length > 300 || rawTail.includes('%') || rawTail.includes('\\')) return null;
  const m = PROGRAM_FILE.exec(rawTail);
  if (!m) return null;
  return { path: rawTail, programId: Number(m[1]) };
}

/** The part of a request URL after '/media/', without the query string (null when the URL is not under /media/). */
export function mediaTail(url: string): string | null {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  return pathname.startsWith('/media/') ? pathname.slice('/media/'.length) : null;
}
