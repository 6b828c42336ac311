// The site manifest: what the server tells a terminal site (GET /api/sites/me/manifest). Wire type shared
// by server/sites (which builds it) and player/agent (which acts on it).
import type { ChannelTimelineInput } from './timeline-types.ts';
import type { ManifestQuestionnaire } from './api/questionnaires.ts';

export type { ManifestQuestionnaire } from './api/questionnaires.ts';

export { RUNG_NAMES as RUNGS, type RungName as Rung } from './ladder.ts';

/** The folder name of a version inside a program's media folder ('v3'), and back (undefined for any other name). */
export const versionFolder = (version: number): string => `v${version}`;
export const parseVersionFolder = (name: string): number | undefined => (/^v[1-9]\d{0,8}$/.test(name) ? Number(name.slice(1)) : undefined);

/**
 * Where a file of one version of a program's output lives, relative to the media root: every publish (transcode,
 * re-transcode, station card) is a new version folder, so the bytes behind a path never change and any HTTP cache
 * may keep them forever. `file` is relative to the version folder ('480p/seg_00003.ts').
 */
export const versionedMediaPath = (programId: number, version: number, file: string): string =>
  `programs/${programId}/${versionFolder(version)}/${file}`;

/** The ETag the server gives a media file: from its sha256, so a site can resume with If-Range on what the manifest says. */
export const mediaEtag = (sha256: string): string => `"${sha256.slice(0, 32)}"`;

/** A file the site must hold, relative to the media root: path 'programs/12/v2/480p/seg_00003.ts' is served at /media/programs/12/v2/480p/seg_00003.ts */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  programId: number;
  /** Earliest instant (epoch ms) this file is needed on air; null for on-demand-only files. Drives the "within 2 h: download now" rule and eviction. */
  neededAt: number | null;
}

export interface ManifestChannel {
  id: number;
  number: number;
  name: string;
  description: string;
  /** Schedule of the next 48 h (and the item on air now), with what the timeline needs. */
  timeline: ChannelTimelineInput;
  /** Titles for the guide on the TV, by program id. */
  titles: Record<number, string>;
}

export interface ManifestProgram {
  id: number;
  title: string;
  description: string;
  lecturer: string;
  category: string | null;
  audiences: string[];
  seriesId: number | null;
  seriesTitle: string | null;
  episode: number | null;
  duration: number;
  language: string;
  /** Rung names this site may play (capped at the site's maxRung), highest first. */
  rungs: string[];
  /** Every file of this program at the site's rungs (playlists, segments, poster). */
  files: Array<Omit<ManifestFile, 'programId' | 'neededAt'>>;
}

export interface SiteManifest {
  siteId: number;
  siteName: string;
  regionId: number;
  /** When the server built this manifest (epoch ms); the agent compares with its own clock. */
  generatedAt: number;
  /** e.g. '00:00-06:00' in the province's zone. */
  downloadWindow: string;
  bandwidthKbps: number;
  maxRung: string;
  provinceTz: string;
  /**
   * Base URL of the county relay (an HTTP cache of /media/) this site downloads media through: file `path` is
   * fetched from `relayUrl + 'media/' + path`, and from the origin when the relay fails or sends wrong bytes.
   * null: media comes from the origin. Manifests, heartbeats and attendance always go to the origin.
   */
  relayUrl?: string | null;
  channels: ManifestChannel[];
  /** Files that scheduled broadcasts in the next 48 h need (including slates), each once. */
  required: ManifestFile[];
  /** Published questionnaires and quizzes reaching the site: open now, opening within 48 h, or closed recently
   * (absent from a server older than questionnaires: none). */
  questionnaires?: ManifestQuestionnaire[];
  /**
   * The strong ETag of this site's catalog (GET /api/sites/me/catalog). The catalog is its own resource so a
   * schedule change does not re-send the library: the agent fetches it again only when this value changes.
   */
  catalogEtag: string;
}

// ----------------------------------------------------------------------------------------------- catalog

/** A category of the taxonomy, named in both languages. */
export interface CatalogCategory {
  id: string;
  zh: string;
  en: string;
}

/** GET /api/sites/me/catalog: the published on-demand catalog (ready lectures) at this site's rung. */
export interface SiteCatalog {
  programs: ManifestProgram[];
  categories: CatalogCategory[];
}
