import t from 'tap';
import { RecoveryPolicy, type RecoveryOptions } from '../../../player/kiosk/src/recovery.ts';

const opts: RecoveryOptions = {
  mediaRepeatMs: 5000,
  maxNetworkRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 4000,
  maxRecreates: 2,
  recreateWindowMs: 60_000,
  healthyAfterMs: 10_000,
};

t.test('media errors: recover, then swap audio codec and recover, then a new instance', async (t) => {
  const p = new RecoveryPolicy(opts);
  t.same(p.onFatal('media', 0, true), { type: 'recoverMedia' });
  t.same(p.onFatal('media', 1000, true), { type: 'swapAndRecover' }, 'repeated within a few seconds');
  t.same(p.onFatal('media', 2000, true), { type: 'recreate' });
  t.same(p.onFatal('media', 9000, true), { type: 'recoverMedia' }, 'spaced out again: plain recovery');
});

t.test('network errors back off, wait for the link, and give up when it cannot come back', async (t) => {
  const p = new RecoveryPolicy(opts);
  t.same(p.onFatal('network', 0, false), { type: 'retryLoad', delayMs: 1000, waitForOnline: true }, 'offline: wait');
  t.same(p.onFatal('network', 0, true), { type: 'retryLoad', delayMs: 1000, waitForOnline: false });
  t.same(p.onFatal('network', 1, true), { type: 'retryLoad', delayMs: 2000, waitForOnline: false });
  t.same(p.onFatal('network', 2, true), { type: 'retryLoad', delayMs: 4000, waitForOnline: false });
  t.same(p.onFatal('network', 3, true), { type: 'giveUp' });
});

t.test('other fatal errors and stalls make a new instance, a few times, then give up', async (t) => {
  const p = new RecoveryPolicy(opts);
  t.same(p.onFatal('other', 0, true), { type: 'recreate' });
  t.same(p.onStall(1000), { type: 'recreate' });
  t.same(p.onStall(2000), { type: 'giveUp' }, 'the next thing is shown instead of a frozen frame');
  t.same(p.onStall(70_000), { type: 'recreate' }, 'old attempts leave the window');
});

t.test('a healthy stretch of playback forgives earlier trouble', async (t) => {
  const p = new RecoveryPolicy(opts);
  for (let i = 0; i < 3; i++) p.onFatal('network', i, true);
  p.onProgress(100);
  p.onProgress(5000);
  t.same(p.onFatal('network', 5001, true), { type: 'giveUp' }, 'not yet healthy long enough');
  p.onProgress(6000);
  p.onProgress(16_000);
  t.same(p.onFatal('network', 16_001, true), { type: 'retryLoad', delayMs: 1000, waitForOnline: false });
});
