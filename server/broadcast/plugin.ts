// The broadcast domain: channels, schedules and recurring slots, live HLS by stitching, guides.
// Background work (only with config.startWorkers): the slot job materialising recurring slots 8 days ahead
// (every 10 minutes, in the province's zone) and remaking slates that are missing or failed.
import type { FastifyInstance } from 'fastify';
import cron, { type ScheduledTask } from 'node-cron';
import channelsRoutes from './channels-routes.ts';
import scheduleRoutes from './schedule-routes.ts';
import slotsRoutes from './slots-routes.ts';
import liveRoutes from './live-routes.ts';
import { materialiseAll } from './slots.ts';
import { channelsWithoutCard } from './repo.ts';
import { ensureHouseSlate, scheduleSlate, stopSlates } from './slate.ts';

export default async function broadcastPlugin(app: FastifyInstance) {
  await app.register(channelsRoutes);
  await app.register(scheduleRoutes);
  await app.register(slotsRoutes);
  await app.register(liveRoutes);

  let task: ScheduledTask | null = null;
  const runSlots = () => {
    try {
      const r = materialiseAll(app.db, app.config.provinceTz, Date.now());
      if (r.created || r.skipped) app.log.info(r, 'recurring slots materialised');
    } catch (err) {
      app.log.error({ err }, 'slot materialisation failed');
    }
  };

  app.addHook('onReady', async () => {
    if (!app.config.startWorkers) return;
    runSlots();
    task = cron.schedule('*/10 * * * *', runSlots, { timezone: app.config.provinceTz, name: 'broadcast-slots', noOverlap: true });
    void ensureHouseSlate(app.db, app.config, app.log);
    for (const id of channelsWithoutCard(app.db)) void scheduleSlate(app.db, app.config, app.log, id);
  });

  app.addHook('onClose', async () => {
    if (task) await task.stop();
    await stopSlates(app.db);
  });
}
