// Where a site's media bytes came from: its county relay or the origin (issue 11). One shape for the agent's
// local status, its heartbeat (common/api/attendance.ts) and the site health rows of the reports.
import { Type, type Static } from '@sinclair/typebox';

const Count = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });

export const MediaSources = Type.Object(
  {
    relayUrl: Type.Union([Type.String({ maxLength: 500 }), Type.Null()], {
      description: 'the relay the manifest names for this site; null: media comes from the origin',
    }),
    relayFiles: Count('files fetched through the relay and verified, since the agent started'),
    relayBytes: Count('bytes of those files'),
    originFiles: Count('files fetched from the origin and verified, since the agent started'),
    originBytes: Count('bytes of those files'),
    relayFailures: Count('downloads the relay failed (no answer, an error, short or wrong bytes) and the origin then served'),
    lastRelayError: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
      description: "the relay's last failure, null while it has not failed since the agent started",
    }),
  },
  { additionalProperties: false },
);
export type MediaSources = Static<typeof MediaSources>;

export const noMediaSources = (relayUrl: string | null = null): MediaSources => ({
  relayUrl,
  relayFiles: 0,
  relayBytes: 0,
  originFiles: 0,
  originBytes: 0,
  relayFailures: 0,
  lastRelayError: null,
});
