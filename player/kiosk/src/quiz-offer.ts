// When a lecture's quiz is offered: after the lecture ends on demand, and on a channel once the item this TV
// showed on air has gone off air (not an item that ended before the room tuned in). Pure: the item seen, the
// questionnaires and `now` in; the quiz to offer (once) out. The offer itself sits in a corner and opens only on OK
// (app.ts): it never interrupts what plays.
import type { LocalQuestionnaire, ProgramSlot } from './api.ts';

/** An item that ended longer ago than this is not offered any more (the room has moved on). */
export const OFFER_AFTER_ITEM_MS = 10 * 60_000;

/** The open quiz of a lecture, if it has one. */
export function quizOfProgram(list: readonly LocalQuestionnaire[], programId: number): LocalQuestionnaire | undefined {
  return list.find((q) => q.kind === 'quiz' && q.open && q.programId === programId);
}

/** An item this TV showed on a channel: seen on air in the channel guide while the channel was on screen. */
export interface SeenOnAir {
  channelId: number;
  item: ProgramSlot;
}

/**
 * The quiz of an item seen on air, once that item has ended, with a key naming the airing (channel, program, start)
 * so each airing is offered once; null when there is none to offer now.
 */
export function quizAfterItem(
  seen: SeenOnAir,
  list: readonly LocalQuestionnaire[],
  now: number,
  offered: ReadonlySet<string>,
): { quiz: LocalQuestionnaire; key: string } | null {
  const { item } = seen;
  if (item.programId === null || item.end > now || now - item.end > OFFER_AFTER_ITEM_MS) return null;
  const quiz = quizOfProgram(list, item.programId);
  const key = `${seen.channelId}:${item.programId}:${item.start}`;
  return quiz && !offered.has(key) ? { quiz, key } : null;
}
