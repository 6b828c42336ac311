// `npm start`: the provincial server on ./data and, unless DEMO=0, the demo: a generated library of
// lectures, channel 1 playing them around the clock, and a demo terminal site (agent + kiosk page)
// paired to this server, so a newcomer sees a broadcast in a browser at once. Channel 1 goes on air as soon
// as its first lecture is transcoded; the others join the rotation as they become ready, and the demo site
// syncs after each change instead of waiting for its next poll.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';
import { ensureDemoSite } from '../server/sites/demo.ts';
import { waitForProgram } from '../server/media/jobs.ts';
import { pino } from 'pino';
import { prettyTransport } from '../common/pretty-logs.ts';
import { startAgent } from '../player/agent/agent.ts';
import { DEMO_FOLLOW_MS, ensureDemoChannel, ensureDemoLibrary } from './demo.ts';
import { currentVersion } from '../server/media/media-data.ts';
import { versionedMediaPath } from '../common/manifest.ts';

const config = loadConfig();
const app = await startServer(config);
const listenedAt = performance.now();
const serverUrl = `http://127.0.0.1:${config.port}`;
app.log.info({ url: `http://localhost:${config.port}/docs` }, 'API documentation');

if (config.demo) {
  const agentPort = Number(process.env.AGENT_PORT || 8090);
  const site = ensureDemoSite(app);
  const agent = await startAgent({
    serverUrl,
    dataDir: path.resolve(process.env.AGENT_DATA_DIR || path.join(config.dataDir, 'demo-site')),
    port: agentPort,
    pairCode: site.pairingCode,
    logger: pino({ name: 'agent', level: config.logLevel, transport: prettyTransport() }),
  });
  app.log.info({ url: agent.url }, 'demo terminal site: open the kiosk page in a browser (arrow keys, Enter, Escape)');

  // The site hears of a schedule change at once (its own poll would take up to a minute).
  const tellSite = () => void agent.syncNow().catch((err: unknown) => app.log.warn({ err }, 'demo site: sync failed'));
  let onAir = false;
  const announce = (channelId: number) => {
    if (onAir) return;
    onAir = true;
    const seconds = Math.round((performance.now() - listenedAt) / 100) / 10;
    app.log.info(
      { channelId, secondsAfterListen: seconds, url: `${serverUrl}/live/channels/${channelId}/master.m3u8` },
      'demo channel on air',
    );
  };

  // Each lecture, in order, joins channel 1 the moment its transcode ends.
  let follow = Promise.resolve();
  const whenReady = (id: number) => {
    follow = follow.then(async () => {
      const end = await waitForProgram(app.db, id, 60 * 60_000);
      const version = currentVersion(app.db, id);
      const url = version === undefined ? null : `${serverUrl}/media/${versionedMediaPath(id, version, 'master.m3u8')}`;
      app.log.info({ programId: id, status: end.status, url }, 'demo lecture done');
      if (end.status !== 'ready') return;
      announce(ensureDemoChannel(app, Date.now(), DEMO_FOLLOW_MS));
      tellSite();
    });
  };
  const queued = await ensureDemoLibrary(app, whenReady);
  if (queued.length) app.log.info({ programs: queued.length }, 'demo library generated; channel 1 grows as each lecture is transcoded');
  await follow;
  announce(ensureDemoChannel(app));
  tellSite();
  // Keep the demo channel scheduled ahead while the demo runs.
  setInterval(() => ensureDemoChannel(app), 3600_000).unref();
}
