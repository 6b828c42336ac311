// Questionnaires at the site, as one piece the agent plugs in (like attendance):
//   const qs = createQuestionnaires({ dataDir, serverUrl, getToken, clock, log, entries: () => manifest.questionnaires });
//   plugins: [qs.plugin]   // GET /local/questionnaires, POST /local/answers, GET /local/answers
//   qs.start(); await qs.stop();
// Answers wait in answers.sqlite and go up with the attendance uploader's code (acknowledge-after-commit, backoff,
// Retry-After) to POST /api/sites/me/answers.
import path from 'node:path';
import { uplinkUploader, type FlushResult, type Uploader, type UplinkOptions, type UploadTarget } from '../attendance/uploader.ts';
import { MAX_ANSWERS_PER_BATCH } from '../../../common/api/questionnaires.ts';
import type { ManifestQuestionnaire } from '../../../common/manifest.ts';
import { localQuestionnaires } from './from-manifest.ts';
import { ANSWERS_FILE, AnswerQueue, type SiteAnswer } from './queue.ts';
import { questionnaireRoutes } from './routes.ts';

export { AnswerQueue, type SiteAnswer } from './queue.ts';

/** The server's answers endpoint. */
export const ANSWERS_TARGET: UploadTarget = {
  path: '/api/sites/me/answers',
  field: 'answers',
  label: 'answers',
  maxBatch: MAX_ANSWERS_PER_BATCH,
};

export interface QuestionnairesOptions extends UplinkOptions {
  /** The questionnaires of the current manifest. */
  entries: () => readonly ManifestQuestionnaire[];
}

export interface Questionnaires {
  plugin: ReturnType<typeof questionnaireRoutes>;
  queue: AnswerQueue;
  uploader: Uploader<SiteAnswer>;
  start(): void;
  stop(): Promise<void>;
  /** Sends every queued answer now (ignores the backoff timer). */
  flushNow(): Promise<FlushResult>;
}

const TOMBSTONE_DAYS = 30;

export function createQuestionnaires(opts: QuestionnairesOptions): Questionnaires {
  const clock = opts.clock ?? Date.now;
  const queue = AnswerQueue.open(path.join(opts.dataDir, ANSWERS_FILE));
  const uploader = uplinkUploader<SiteAnswer>(queue, ANSWERS_TARGET, opts);
  const plugin = questionnaireRoutes({
    queue,
    clock,
    questionnaires: (now) => localQuestionnaires(opts.entries(), now),
    onQueued: () => uploader.nudge(),
    uploadStatus: () => ({ ...uploader.status }),
  });
  let started = false;
  return {
    plugin,
    queue,
    uploader,
    start() {
      started = true;
      queue.purgeFinished(clock() - TOMBSTONE_DAYS * 86_400_000);
      uploader.start();
    },
    async stop() {
      if (started) await uploader.stop();
      queue.close();
    },
    flushNow: () => uploader.flush(),
  };
}
