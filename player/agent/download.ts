// The agent's side of the shared verified downloader (common/verified-download.ts): a manifest file fetched into
// the site's cache from the county relay first (when the manifest names one) and the province otherwise, the origin
// asked with the site token through the uplink.
import type { ManifestFile } from '../../common/manifest.ts';
import { downloadVerified, type DownloadResult, type MediaGet, type VerifiedDownloadOptions } from '../../common/verified-download.ts';
import type { Uplink } from './uplink.ts';

export { VerifyFailed, type DownloadResult } from '../../common/verified-download.ts';

/** The shared downloader's options, with the site's uplink (origin and token) and cache in place of a store. */
export type DownloadOptions = Omit<VerifiedDownloadOptions, 'storeDir' | 'originGet' | 'file'> & {
  uplink: Uplink;
  mediaDir: string;
  file: ManifestFile;
};

export function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const originGet: MediaGet = (headers, signal) => opts.uplink.raw(`/media/${opts.file.path}`, { headers, signal });
  return downloadVerified({ ...opts, storeDir: opts.mediaDir, originGet });
}
