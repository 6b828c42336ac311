// A GET of one of the centre's feeds with this province's platform token: the body, or null for 304 (unchanged
// since `etag`); a centre that cannot be reached is UplinkDown, a refusal its own message (common/link-errors.ts).
import { answerError, UplinkDown } from '../../common/link-errors.ts';

const FEED_TIMEOUT_MS = 60_000;

export interface CentreCredentials {
  upstreamUrl: string;
  token: string;
}

export async function centreGet<T>(
  creds: CentreCredentials,
  pathname: string,
  etag: string | null = null,
): Promise<{ body: T; etag: string | null } | null> {
  const headers: Record<string, string> = { authorization: `Bearer ${creds.token}` };
  if (etag) headers['if-none-match'] = etag;
  let res: Response;
  try {
    res = await fetch(`${creds.upstreamUrl}${pathname}`, { headers, signal: AbortSignal.timeout(FEED_TIMEOUT_MS) });
  } catch (err) {
    throw new UplinkDown(`the centre ${creds.upstreamUrl} is unreachable: ${(err as Error).message}`);
  }
  if (res.status === 304) {
    await res.body?.cancel();
    return null;
  }
  const text = await res.text();
  if (!res.ok) throw answerError(pathname, res, text);
  return { body: JSON.parse(text) as T, etag: res.headers.get('etag') };
}
