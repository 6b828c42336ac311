// Screenshots of the kiosk for the README: a real site (server + agent + Chromium) with Chinese titles, the home
// screen, at the TV's 1366x768. Run: node --import tsx scripts/docs/kiosk-screenshots.ts
import path from 'node:path';
import { openKiosk, startSite } from '../../testkit/kiosk-site.ts';

const out = path.resolve('docs/screenshots');
const site = await startSite({ programSeconds: 10, programs: 2, extraPrograms: 1, channels: 2, minutes: 4 });
try {
  const titles = ['乡村振兴政策解读', '党史故事', '农业技术讲座'];
  for (const [i, id] of [...site.programIds, ...site.extraProgramIds].entries()) {
    await site.server.app.inject({ method: 'PATCH', url: `/api/programs/${id}`, headers: site.server.auth, payload: { title: titles[i] } });
  }
  await site.agent.syncNow();
  const kiosk = await openKiosk(site.agent.url, { width: 1366, height: 768 });
  try {
    const { page } = kiosk;
    await page.waitForSelector('[data-testid=channel-row]');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(out, 'kiosk-home.png') });
    process.stdout.write(`wrote ${out}/kiosk-home.png\n`);
  } finally {
    await kiosk.close();
  }
} finally {
  await site.close();
}
