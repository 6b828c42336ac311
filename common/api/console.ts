// The console's own small endpoints (server/console/plugin.ts): its settings and the activity chart's query.
import { Type, type Static } from '@sinclair/typebox';

export const ConsoleConfig = Type.Object({ provinceTz: Type.String(), version: Type.String() });
export type ConsoleConfig = Static<typeof ConsoleConfig>;

/** Days as YYYY-MM-DD in the province zone; at most MAX_DAILY_DAYS of them. */
export const ActivityByDayQuery = Type.Object(
  {
    from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    regionId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);
export type ActivityByDayQuery = Static<typeof ActivityByDayQuery>;
