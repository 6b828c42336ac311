// TEMPORARY: wire shapes of routes whose TypeBox schemas (common/api/<domain>.ts) have not landed yet, read from
// today's route schemas (server/<domain>/*-routes.ts). Delete each block once its common/api file is in.

// ---- auth (common/api/auth.ts, helper d3) ----
export type Role = 'operator' | 'organizer';
export interface User { id: number; username: string; role: Role; regionId: number | null; createdAt: string; updatedAt: string }
export interface LoginResponse { token: string; user: User }
export interface NewUser { username: string; password: string; role: Role; regionId?: number | null }
export interface UserPatch { password?: string; role?: Role; regionId?: number | null }

// ---- catalog + media (common/api/catalog.ts, media.ts, helper d1) ----
export type ProgramStatus = 'queued' | 'processing' | 'ready' | 'failed' | 'cancelled';
export interface Rendition { name: string; width: number; height: number; bandwidth: number }
export interface Program {
  id: number; title: string; description: string; lecturer: string; category: string | null; audiences: string[];
  seriesId: number | null; seriesTitle: string | null; episode: number | null; tags: string[]; language: string;
  published: boolean; status: ProgramStatus; progress: number; etaSeconds: number | null; error: string | null;
  duration: number | null; renditions: Rendition[]; poster: string | null; hls: string | null;
  /** Operators, unpublished programs: a signed, expiring path to the master playlist (helper d1). */
  previewUrl?: string | null;
  sourceName: string | null; sourceSize: number | null; createdAt: string; updatedAt: string;
}
export interface ProgramList { items: Program[]; total: number }
export interface ProgramQuery {
  q?: string; category?: string; audience?: string; series?: number; status?: ProgramStatus; published?: boolean;
  limit?: number; offset?: number; sort?: string;
}
export interface ProgramPatch {
  title?: string; description?: string; lecturer?: string; category?: string | null; audiences?: string[];
  seriesId?: number | null; series?: string; episode?: number | null; tags?: string[]; language?: string; published?: boolean;
}
export interface TaxonomyEntry { id: string; zh: string; en: string }
export interface Taxonomy { categories: TaxonomyEntry[]; audiences: TaxonomyEntry[] }
export interface Series { id: number; title: string; description: string; programCount: number; createdAt: string }
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export interface Job {
  id: number; programId: number; programTitle: string | null; kind: string; status: JobStatus; attempts: number;
  progress: number; eta: number | null; error: string | null; runAfter: string; createdAt: string; startedAt: string | null; finishedAt: string | null;
}

// ---- broadcast (common/api/broadcast.ts, helper d2) ----
export interface Channel {
  id: number; number: number; name: string; description: string; logo: string | null; regionIds: number[];
  slateProgramId: number | null;
}
export interface ChannelInput { number: number; name: string; description?: string; regionIds?: number[]; slateProgramId?: number | null }
export interface ScheduleItem {
  id: number; channelId: number; programId: number | null; title: string | null; start: string; end: string;
  slotId: number | null; state: 'scheduled' | 'on_air' | 'ended'; programStatus?: string | null;
}
export interface ScheduleList { channelId: number; from: string; to: string; timezone: string; items: ScheduleItem[] }
export interface ScheduleItemInput { programId: number; start: string; end?: string; durationSeconds?: number }
export interface Slot {
  id: number; channelId: number; days: number[] | null; time: string | null; cron: string | null;
  programId: number | null; seriesId: number | null; nextEpisode?: number; from: string; until: string | null;
  durationSeconds: number | null; materialisedUntil?: string; skipped?: Array<{ start: string; reason: string }>;
}
export interface SlotInput {
  days?: number[]; time?: string; cron?: string; programId?: number; seriesId?: number; from?: string; until?: string; durationSeconds?: number;
}
export interface OnAir { itemId: number; programId: number | null; title: string | null; start: string; end: string; slate: boolean }
export interface NowNext { channelId: number; serverTime: string; now: OnAir | null; next: OnAir | null }
export interface EpgItem { id: number; programId: number | null; title: string | null; start: string; end: string; status?: string }
export interface Epg { channel: { id: number; number: number; name: string }; items: EpgItem[] }
export interface CopyResult { created: ScheduleItem[]; skipped?: Array<{ start: string; reason: string }> }

// ---- sites (common/api/sites.ts, helper d3) ----
export type RegionLevel = 'province' | 'prefecture' | 'county' | 'township' | 'village';
export interface Region { id: number; parentId: number | null; name: string; level: RegionLevel; path: string; children?: Region[] }
export interface RegionImportResult { created: number; existing: number; regions: Region[] }
export type SiteStatus = 'unpaired' | 'paired' | 'revoked';
export interface Site {
  id: number; name: string; regionId: number; regionName: string; regionPath: string[]; contact: string; downloadWindow: string;
  bandwidthKbps: number; maxRung: '720p' | '480p' | '360p' | '240p'; status: SiteStatus; pairingExpiresAt: string | null;
  pairedAt: string | null; revokedAt: string | null; createdAt: string; updatedAt: string;
}
export interface SiteInput { name: string; regionId: number; contact?: string; downloadWindow?: string; bandwidthKbps?: number; maxRung?: Site['maxRung'] }
export interface SiteCreated { id: number; pairingCode: string; pairingExpiresAt: string; site: Site }
export interface PairingCode { id: number; pairingCode: string; pairingExpiresAt: string }
export interface DemandEntry {
  programId: number | null; title: string; count: number; sites: number; members: number; lastAt: string;
  bySite?: Array<{ siteId: number; siteName: string; region?: string; count: number }>;
}
export interface TopicDemand extends Omit<DemandEntry, 'programId' | 'title'> { topic: string }
export interface RequestDemand { total: number; programs: DemandEntry[]; topics: TopicDemand[] }

// ---- attendance + reports (common/api/attendance.ts, reports.ts, helper d4) ----
export interface Member { memberNo: string; name: string; siteId: number; siteName: string | null; category: string; importedAt: string }
export interface MemberList { total: number; items: Member[] }
export interface MemberImportResult { inserted: number; updated: number; rejected?: Array<{ line: number; reason: string }> }
export interface ActivityNode {
  kind: 'region' | 'site'; id: number; name: string; level: string; children: ActivityNode[];
  sites: number; sessions: number; viewingHours: number; personHours: number; distinctMembers: number; unverifiedMembers: number;
  broadcastHours: number; scheduledHours: number | null; coverage: number | null;
}
interface ReportHead { from: string; to: string; timeZone: string; regionId: number | null; generatedAt: string }
export interface ActivityReport extends ReportHead { regions: ActivityNode[] }
export interface ReachSite { siteId: number; siteName: string; region: string; sessions: number; viewingHours: number; personHours: number; viewers: number; members: number }
export interface ReachReport extends ReportHead {
  title: string; programId: number | null; seriesId: number | null;
  totals: { sites: number; sessions: number; viewingHours: number; personHours: number; viewers: number; distinctMembers: number; unverifiedMembers: number };
  sites: ReachSite[];
}
export interface MemberPeriodRow {
  memberNo: string; name: string | null; category: string | null; verified: boolean; siteId: number; siteName: string;
  period: string; sessions: number; hours: number; belowTarget: boolean;
}
export interface MembersReport extends ReportHead {
  per: 'day' | 'month'; targetHours: number | null;
  summary: { members: number; rows: number; belowTarget: number; membersBelowTarget: number }; rows: MemberPeriodRow[];
}
export interface SiteHealthRow {
  siteId: number; siteName: string; region: string; paired: boolean; revoked: boolean; online: boolean; lastSeen: string | null;
  daysSinceSeen: number | null; dark: boolean; onlineShare: number; connectedHours: number; cacheReadiness: number | null;
  freeDiskBytes: number | null; agentVersion: string | null; uptimeSeconds: number | null; lastError: string | null; clockOffsetMs: number | null;
}
export interface SitesReport extends ReportHead { darkDays: number; summary: { sites: number; online: number; dark: number }; sites: SiteHealthRow[] }
