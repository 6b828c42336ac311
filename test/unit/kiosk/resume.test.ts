import t from 'tap';
import { isResumable, RESUME_STORAGE_KEY, ResumeStore, resumeStart } from '../../../player/kiosk/src/resume.ts';

function memoryStore() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

t.test('resume a few seconds before where the lecture was left', async (t) => {
  t.equal(resumeStart(0, 600), 0);
  t.equal(resumeStart(5, 600), 0, 'barely started: from the start');
  t.equal(resumeStart(300, 600), 297);
  t.equal(resumeStart(590, 600), 0, 'nearly finished: from the start');
  t.equal(resumeStart(Number.NaN, 600), 0);
  t.ok(isResumable(300, 600));
  t.notOk(isResumable(595, 600));
});

t.test('positions are kept per lecture, survive reloads, and stay bounded', async (t) => {
  const store = memoryStore();
  const r = new ResumeStore(store);
  r.save(7, 120, 1000);
  r.save(8, 30, 2000);
  t.equal(new ResumeStore(store).get(7), 120, 'read back by a new instance (a page reload)');
  t.equal(r.get(8), 30);
  t.equal(r.get(9), 0);
  r.clear(7);
  t.equal(r.get(7), 0);
  for (let i = 0; i < 400; i++) r.save(1000 + i, 50, 10_000 + i);
  const kept = Object.keys(JSON.parse(store.m.get(RESUME_STORAGE_KEY)!));
  t.equal(kept.length, 300, 'bounded');
  t.equal(r.get(1399), 50, 'newest kept');
  t.equal(r.get(8), 0, 'oldest dropped');
  store.setItem(RESUME_STORAGE_KEY, '{broken');
  t.equal(r.get(1399), 0, 'a corrupt store reads as empty instead of breaking playback');
});
