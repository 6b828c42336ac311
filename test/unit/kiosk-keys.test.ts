import t from 'tap';
import { commandForKey, DigitEntry } from '../../player/kiosk/src/keys.ts';

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
