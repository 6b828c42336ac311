import t from 'tap';
import { langTag, loadLang, otherLang, saveLang, t as tr } from '../../../player/kiosk/src/i18n.ts';
import { formatDuration, formatRange, formatTime, percent, progressFraction } from '../../../player/kiosk/src/format.ts';

function memoryStore() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

t.test('Chinese by default, English when chosen, and the choice persists', async (t) => {
  const store = memoryStore();
  t.equal(loadLang(store), 'zh');
  t.equal(tr('zh', 'onDemand'), '点播课程');
  saveLang(store, otherLang(loadLang(store)));
  t.equal(loadLang(store), 'en');
  t.equal(tr('en', 'onDemand'), 'On demand');
  t.equal(langTag('zh'), 'zh-CN');
  store.setItem('kiosk.lang', 'fr');
  t.equal(loadLang(store), 'zh', 'an unknown stored value falls back to Chinese');
});

t.test('placeholders are filled, unknown ones kept visible', async (t) => {
  t.equal(tr('zh', 'downloading', { p: 40 }), '下载中 40%');
  t.equal(tr('en', 'channelNo', { n: 3 }), 'Channel 3');
  t.equal(tr('en', 'channelNo'), 'Channel {n}');
});

t.test('times are shown in the province zone', async (t) => {
  const at = Date.UTC(2026, 10, 22, 11, 30); // 11:30 UTC = 19:30 in Shanghai
  t.equal(formatTime(at, 'Asia/Shanghai', 'zh'), '19:30');
  t.equal(formatTime(at, 'UTC', 'en'), '11:30');
  t.equal(formatTime(Date.UTC(2026, 10, 22, 16, 5), 'Asia/Shanghai', 'en'), '00:05', 'midnight is 00, not 24');
  t.equal(formatRange(at, at + 45 * 60_000, 'Asia/Shanghai', 'en'), '19:30–20:15');
});

t.test('durations and progress', async (t) => {
  t.equal(formatDuration(0), '0:00');
  t.equal(formatDuration(65.9), '1:05');
  t.equal(formatDuration(3725), '1:02:05');
  t.equal(progressFraction(150, 100, 200), 0.5);
  t.equal(progressFraction(50, 100, 200), 0);
  t.equal(progressFraction(250, 100, 200), 1);
  t.equal(progressFraction(100, 100, 100), 0, 'an empty span');
  t.equal(percent(0.426), 43);
});

t.test("the site's default language applies until someone chooses on the TV", async (t) => {
  const store = memoryStore();
  t.equal(loadLang(store, 'en'), 'en');
  t.equal(loadLang(store, 'zh-CN'), 'zh');
  t.equal(loadLang(store, 'fr'), 'zh', 'an unknown default falls back to Chinese');
  saveLang(store, 'zh');
  t.equal(loadLang(store, 'en'), 'zh', 'the choice made on the TV wins');
});
