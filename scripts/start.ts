// `npm start`: the provincial server on ./data and, unless DEMO=0, the demo: a generated library of
// lectures, channel 1 playing them around the clock, and a demo terminal site (agent + kiosk page)
// paired to this server, so a newcomer sees a broadcast in a browser at once.
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';
import { ensureDemoSite } from '../server/sites/demo.ts';
import { waitForProgram } from '../server/media/jobs.ts';
import { startAgent } from '../player/agent/agent.ts';
import { ensureDemoChannel, ensureDemoLibrary } from './demo.ts';

const config = loadConfig();
const app = await startServer(config);
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
  });
  app.log.info({ url: agent.url }, 'demo terminal site: open the kiosk page in a browser (arrow keys, Enter, Escape)');

  const queued = await ensureDemoLibrary(app);
  if (queued.length) {
    app.log.info({ programs: queued.length }, 'demo library generated; transcoding it now (a few minutes on two cores)');
    for (const id of queued) {
      const end = await waitForProgram(app.db, id, 60 * 60_000);
      app.log.info({ programId: id, status: end.status, url: `${serverUrl}/media/programs/${id}/master.m3u8` }, 'demo lecture done');
    }
  }
  const channelId = ensureDemoChannel(app);
  app.log.info({ channelId, url: `${serverUrl}/live/channels/${channelId}/master.m3u8` }, 'demo channel on air');
  await agent.syncNow();
  // Keep the demo channel scheduled ahead while the demo runs.
  setInterval(() => ensureDemoChannel(app), 3600_000).unref();
}
