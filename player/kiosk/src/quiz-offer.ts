// When a lecture's quiz is offered: after the lecture ends on demand, and on a channel once the item it belongs to
// has gone off air. Pure: the channel guide, the questionnaires and `now` in; the quiz to offer (once) out. The
// offer itself sits in a corner and opens only on OK (app.ts): it never interrupts what plays.
import type { LocalChannel, LocalQuestionnaire } from './api.ts';

/** An item that ended longer ago than this is not offered any more (the room has moved on). */
export const OFFER_AFTER_ITEM_MS = 10 * 60_000;

/** The open quiz of a lecture, if it has one. */
export function quizOfProgram(list: readonly LocalQuestionnaire[], programId: number): LocalQuestionnaire | undefined {
  return list.find((q) => q.kind === 'quiz' && q.open && q.programId === programId);
}

/**
 * The quiz of the item a channel just finished, with a key naming that airing (channel, program, start) so each
 * airing is offered once; null when there is none to offer now.
 */
export function quizAfterItem(
  channel: LocalChannel,
  list: readonly LocalQuestionnaire[],
  now: number,
  offered: ReadonlySet<string>,
): { quiz: LocalQuestionnaire; key: string } | null {
  const item = channel.previous;
  if (!item || item.programId === null || item.end > now || now - item.end > OFFER_AFTER_ITEM_MS) return null;
  const quiz = quizOfProgram(list, item.programId);
  const key = `${channel.id}:${item.programId}:${item.start}`;
  return quiz && !offered.has(key) ? { quiz, key } : null;
}
