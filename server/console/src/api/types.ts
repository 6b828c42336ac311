// The API's wire types for the console, taken from common/api (the TypeBox schemas the server validates and
// documents with): never retyped here. A few names are the console's words for a schema's type.
export type { ErrorBody } from '../../../../common/api/shared.ts';
export type { LoginResult as LoginResponse, NewUser, Role, User, UserPatch } from '../../../../common/api/auth.ts';
export type {
  Program,
  ProgramListQuery as ProgramQuery,
  ProgramPage as ProgramList,
  ProgramPatch,
  ProgramStatus,
  Rendition,
  Series,
  Taxonomy,
  TaxonomyEntry,
} from '../../../../common/api/catalog.ts';
export type { Job, JobStatus } from '../../../../common/api/media.ts';
export type {
  Channel,
  ChannelCreate as ChannelInput,
  CreatedItems as CopyResult,
  Epg,
  EpgItem,
  ItemCreate as ScheduleItemInput,
  NowNext,
  OnAir,
  ScheduleItem,
  ScheduleList,
  Slot,
  SlotCreate as SlotInput,
} from '../../../../common/api/broadcast.ts';
export type {
  HandledResult,
  Level as RegionLevel,
  MarkHandled,
  NewSite as SiteInput,
  PairingCodeIssued as PairingCode,
  RegionBranch,
  RegionHit,
  RegionImportResult,
  RegionNode as Region,
  RequestDemand,
  Site,
  SiteCreated,
  SiteStatus,
} from '../../../../common/api/sites.ts';
export type {
  ActivityNode,
  ActivityReport,
  MemberPeriodRow,
  MembersReport,
  ReachReport,
  SiteHealthRow,
  SitesReport,
} from '../../../../common/api/reports.ts';
export type { MemberList, RollImportResult as MemberImportResult } from '../../../../common/api/attendance.ts';
export type {
  ConsoleSiteRow,
  ConsoleSitesPage,
  DashboardSummary,
  SiteHealthFilter,
  SiteHealthSort,
} from '../../../../common/api/console.ts';

import type { RequestDemand } from '../../../../common/api/sites.ts';
/** One program asked for, as the requests page lists it. */
export type DemandEntry = RequestDemand['programs'][number];
