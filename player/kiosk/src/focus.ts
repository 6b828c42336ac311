// Spatial navigation for a D-pad: from the focused element's box, which focusable box does an arrow lead
// to? Pure: boxes in, index out, so it is tested without a browser.

export type Direction = 'up' | 'down' | 'left' | 'right';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Gap between intervals [a0,a1] and [b0,b1]; 0 when they overlap. */
function gap(a0: number, a1: number, b0: number, b1: number): number {
  if (a1 < b0) return b0 - a1;
  if (b1 < a0) return a0 - b1;
  return 0;
}

// Half a pixel of slack so boxes that touch or round differently still count as "beyond".
const SLACK = 0.5;

/**
 * The index of the box an arrow press moves to from `boxes[from]`, or null when nothing lies that way.
 * Only boxes wholly beyond the current one in that direction count. Among them, a box in line with the
 * current one (overlapping across the direction) wins over one off to the side, then the nearest; ties go
 * to the box whose centre is closest across the direction, then to document order.
 */
export function nextFocus(boxes: readonly Box[], from: number, dir: Direction): number | null {
  const cur = boxes[from];
  if (!cur) return boxes.length > 0 ? 0 : null;
  const curRight = cur.left + cur.width;
  const curBottom = cur.top + cur.height;
  const curCx = cur.left + cur.width / 2;
  const curCy = cur.top + cur.height / 2;
  let best: number | null = null;
  let bestScore = Infinity;
  boxes.forEach((b, i) => {
    if (i === from || b.width <= 0 || b.height <= 0) return;
    const right = b.left + b.width;
    const bottom = b.top + b.height;
    let along: number;
    let across: number;
    let centreAcross: number;
    switch (dir) {
      case 'right':
        if (b.left < curRight - SLACK) return;
        along = b.left - curRight;
        across = gap(cur.top, curBottom, b.top, bottom);
        centreAcross = Math.abs(b.top + b.height / 2 - curCy);
        break;
      case 'left':
        if (right > cur.left + SLACK) return;
        along = cur.left - right;
        across = gap(cur.top, curBottom, b.top, bottom);
        centreAcross = Math.abs(b.top + b.height / 2 - curCy);
        break;
      case 'down':
        if (b.top < curBottom - SLACK) return;
        along = b.top - curBottom;
        across = gap(cur.left, curRight, b.left, right);
        centreAcross = Math.abs(b.left + b.width / 2 - curCx);
        break;
      case 'up':
        if (bottom > cur.top + SLACK) return;
        along = cur.top - bottom;
        across = gap(cur.left, curRight, b.left, right);
        centreAcross = Math.abs(b.left + b.width / 2 - curCx);
        break;
    }
    // Being off to the side costs more than being far away: a D-pad user expects to stay in the row/column.
    const score = (across > 0 ? 1e6 : 0) + Math.max(0, along) + 3 * across + centreAcross / 1000;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}
