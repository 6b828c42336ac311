// TEMPORARY: the attendance and report shapes, read from today's routes (server/attendance/*-routes.ts). helper d4's
// common/api/attendance.ts and reports.ts hold them, but they need d4's common/attendance.ts, which lands with the
// merge: then export these names from common/api/attendance.ts (MemberList, RollImportResult as MemberImportResult)
// and common/api/reports.ts (the rest) in types.ts, and delete this file.

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
