import t from 'tap';
import { commandForKey, DigitEntry, numberIsComplete } from '../../../player/kiosk/src/keys.ts';

t.test('remote keys map to commands', async (t) => {
  t.same(commandForKey('ArrowLeft'), { kind: 'move', dir: 'left' });
  t.same(commandForKey('Enter'), { kind: 'select' });
  t.same(commandForKey('Escape'), { kind: 'back' });
  t.same(commandForKey('Backspace'), { kind: 'back' }, 'Backspace is Back on a remote');
  t.same(commandForKey('PageUp'), { kind: 'channel', delta: 1 });
  t.same(commandForKey('PageDown'), { kind: 'channel', delta: -1 });
  t.same(commandForKey('7'), { kind: 'digit', digit: 7 });
  t.same(commandForKey('i'), { kind: 'info' });
  t.equal(commandForKey('a'), null, 'ordinary letters do nothing');
  t.equal(commandForKey('F5'), null);
});

t.test('digits collect into a channel number taken after a pause', async (t) => {
  const d = new DigitEntry(1500, 3);
  t.equal(d.push(1, 0), '1');
  t.equal(d.take(500), null, 'still typing');
  t.equal(d.push(2, 900), '12');
  t.equal(d.take(2000), null, 'pause counts from the last digit');
  t.equal(d.take(2400), 12);
  t.equal(d.take(2500), null, 'taken once');
  d.push(3, 10_000);
  t.equal(d.push(4, 20_000), '4', 'a digit after a long pause starts a new number');
  t.equal(d.take(21_600), 4);
  d.push(1, 30_000);
  d.push(0, 30_100);
  d.push(5, 30_200);
  t.equal(d.take(30_200), 105, 'the maximum length is taken at once');
});

t.test('a number no channel number continues is taken without waiting for the pause', async (t) => {
  t.equal(numberIsComplete('2', [1, 2, 3]), true, 'channels 1-3: "2" is complete');
  t.equal(numberIsComplete('1', [1, 2, 12]), false, 'channel 12 exists: "1" may go on');
  t.equal(numberIsComplete('12', [1, 2, 12]), true);
  t.equal(numberIsComplete('5', [1, 2]), true, 'no such channel: complete (the kiosk says so at once)');
  const d = new DigitEntry(1500, 3);
  d.push(2, 0);
  t.equal(d.take(200), null, 'without the hint, still waiting');
  t.equal(d.take(200, true), 2, 'complete: taken at once');
  t.equal(d.take(300, true), null, 'and only once');
});
