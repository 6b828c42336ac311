// The agent's side of the shared verified downloader (common/verified-download.ts): a manifest file fetched into
// the site's cache from the county relay first (when the manifest names one) and the province otherwise, the origin
// asked with the site token through the uplink.
import type { ManifestFile } from '../../common/manifest.ts';
import type { TokenBucket } from '../../common/token-bucket.ts';
import { downloadVerified, type DownloadResult, type MediaGet } from '../../common/verified-download.ts';
import type { Uplink } from './uplink.ts';

export { VerifyFailed, type DownloadResult } from '../../common/verified-download.ts';

export interface DownloadOptions {
  uplink: Uplink;
  mediaDir: string;
  file: ManifestFile;
  bucket: TokenBucket;
  signal?: AbortSignal;
  /** Called as bytes arrive, for progress shown on the TV. */
  onBytes?: (partBytes: number) => void;
  /** Base URL of the county relay to try first (null/absent: the origin only). */
  relayUrl?: string | null;
  /** The relay failed this file (the origin is asked next). */
  onRelayFailed?: (message: string) => void;
}

export function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const originGet: MediaGet = (headers, signal) => opts.uplink.raw(`/media/${opts.file.path}`, { headers, signal });
  return downloadVerified({ ...opts, storeDir: opts.mediaDir, originGet });
}
