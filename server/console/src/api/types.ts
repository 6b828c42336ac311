// The API's wire types for the console, taken from common/api (the TypeBox schemas the server validates and
// documents with): never retyped here. A few names are the console's words for a schema's type.
export type { ErrorBody } from '../../../../common/api/shared.ts';
export type { LoginResult as LoginResponse, NewUser, Role, User } from '../../../../common/api/auth.ts';
export type {
  Program,
  ProgramPage as ProgramList,
  ProgramPatch,
  ProgramStatus,
  Series,
  Taxonomy,
  TaxonomyEntry,
} from '../../../../common/api/catalog.ts';
export type { Job } from '../../../../common/api/media.ts';
export type {
  CarryWindow,
  Channel,
  ChannelCreate as ChannelInput,
  CreatedItems as CopyResult,
  Epg,
  NowNext,
  ScheduleItem,
  ScheduleList,
  Slot,
  SlotCreate as SlotInput,
} from '../../../../common/api/broadcast.ts';
export type {
  HandledResult,
  Level as RegionLevel,
  MarkHandled,
  PairingCodeIssued as PairingCode,
  RegionBranch,
  RegionHit,
  RegionImportResult,
  RegionNode as Region,
  RequestDemand,
  Site,
  SiteCreated,
} from '../../../../common/api/sites.ts';
export type {
  CentralDemand,
  LinkState,
  MirrorStatus,
  Platform,
  PlatformCreated,
  SendResult,
  UpstreamChannels,
  UpstreamStatus,
} from '../../../../common/api/platforms.ts';
export type {
  ActivityNode,
  ActivityReport,
  MembersReport,
  ReachReport,
  SitesReport,
} from '../../../../common/api/reports.ts';
export type { MemberList, RollImportResult as MemberImportResult } from '../../../../common/api/attendance.ts';
export type {
  ConsoleSiteRow,
  ConsoleSitesPage,
  SiteHealthFilter,
  SiteHealthSort,
} from '../../../../common/api/console.ts';

import type { RequestDemand } from '../../../../common/api/sites.ts';
/** One program asked for, as the requests page lists it. */
export type DemandEntry = RequestDemand['programs'][number];
