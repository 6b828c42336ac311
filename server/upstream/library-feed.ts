// At the centre: the library feed of one province, every program offered to it with its metadata and its current
// version's whole output (renditions, segment layout, every file with size and sha256), so the province's mirror
// can fetch and verify each file and publish the same version. The ETag is the body's hash: any change anywhere
// (metadata, a new version, a withdrawal) changes it.
import crypto from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { LibraryFeed, LibraryProgram } from '../../common/api/platforms.ts';
import { distributedPrograms, getProgram, pickCentralMetadata } from '../catalog/repo.ts';
import { currentVersion, renditionsOf, segmentDurations, versionFiles } from '../media/media-data.ts';

export function libraryFeed(db: Db, provinceRegionId: number): { feed: LibraryFeed; etag: string } {
  const programs: LibraryProgram[] = [];
  for (const offered of distributedPrograms(db, provinceRegionId)) {
    const p = getProgram(db, offered.id);
    const version = currentVersion(db, offered.id);
    if (!p || version === undefined || p.duration === null) continue;
    programs.push({
      id: p.id,
      ...pickCentralMetadata(p),
      duration: p.duration,
      version,
      poster: offered.poster,
      renditions: renditionsOf(db, p.id),
      segments: segmentDurations(db, p.id),
      files: versionFiles(db, p.id, version).map((f) => ({ path: f.path, rung: f.rung, size: f.size, sha256: f.sha256 })),
      updatedAt: p.updatedAt,
    });
  }
  const feed = { programs };
  const etag = `"${crypto.createHash('sha256').update(JSON.stringify(feed)).digest('hex').slice(0, 32)}"`;
  return { feed, etag };
}
