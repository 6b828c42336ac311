import t from 'tap';
import { nextFocus, type Box } from '../../../player/kiosk/src/focus.ts';

const box = (left: number, top: number, width = 100, height = 50): Box => ({ left, top, width, height });

// A 3x3 grid of cards, 20 px apart, in document order row by row.
const grid: Box[] = [];
for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) grid.push(box(c * 120, r * 70));

t.test('arrows move within a grid and stop at its edges', async (t) => {
  t.equal(nextFocus(grid, 4, 'right'), 5);
  t.equal(nextFocus(grid, 4, 'left'), 3);
  t.equal(nextFocus(grid, 4, 'up'), 1);
  t.equal(nextFocus(grid, 4, 'down'), 7);
  t.equal(nextFocus(grid, 2, 'right'), null, 'nothing beyond the right edge');
  t.equal(nextFocus(grid, 0, 'up'), null, 'nothing above the top row');
  t.equal(nextFocus(grid, 6, 'down'), null);
});

t.test('a box in line wins over a nearer one off to the side', async (t) => {
  // Current at left; a far box in the same row, a near one below-right.
  const boxes = [box(0, 0), box(600, 0), box(130, 200)];
  t.equal(nextFocus(boxes, 0, 'right'), 1);
  t.equal(nextFocus(boxes, 0, 'down'), 2, 'down finds the only box below even if off to the side');
});

t.test('from a tall side menu into a grid, the row nearest the item is chosen', async (t) => {
  // Menu items stacked at x=0 (width 200), cards at x=260 in two rows.
  const boxes = [box(0, 0, 200, 40), box(0, 50, 200, 40), box(0, 300, 200, 40), box(260, 0, 150, 200), box(260, 220, 150, 200)];
  t.equal(nextFocus(boxes, 0, 'right'), 3);
  t.equal(nextFocus(boxes, 2, 'right'), 4, 'the lower menu item leads to the lower card');
  t.equal(nextFocus(boxes, 4, 'left'), 2, 'and back left to the item beside it');
});

t.test('ties go to the closest centre, then to document order', async (t) => {
  const boxes = [box(100, 100), box(0, 200), box(100, 200), box(200, 200)];
  t.equal(nextFocus(boxes, 0, 'down'), 2, 'straight below beats diagonal');
  const same = [box(0, 0), box(200, 0), box(200, 0)];
  t.equal(nextFocus(same, 0, 'right'), 1);
});

t.test('invisible boxes are skipped; a bad start focuses the first', async (t) => {
  const boxes = [box(0, 0), box(120, 0, 0, 0), box(240, 0)];
  t.equal(nextFocus(boxes, 0, 'right'), 2);
  t.equal(nextFocus(boxes, 9, 'right'), 0);
  t.equal(nextFocus([], 0, 'left'), null);
});
