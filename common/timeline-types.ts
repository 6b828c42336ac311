// The data a channel timeline is computed from. The server builds it from SQLite; the site agent receives
// it in its manifest; both hand it to the same pure functions in common/timeline.ts, so every node
// computes the same live playlist for the same instant. All instants are epoch milliseconds, UTC.

/** What the timeline needs of a program: its segment durations (seconds, one list shared by every rung) and its rungs. */
export interface TimelineProgram {
  id: number;
  /**
   * The output version these segments belong to (a folder v<n>: every transcode publishes a new one). Segment i of
   * rung R is /media/programs/<id>/v<version>/<R>/seg_<i padded to 5>.ts. Absent only in hand-made inputs (tests of
   * the timeline itself), which then name /media/programs/<id>/<R>/seg_....ts.
   */
  version?: number;
  /** Segment durations in seconds, in order. */
  segments: number[];
  /** Rung names present, highest first, e.g. ['480p', '360p', '240p']. */
  rungs: string[];
  /**
   * Slates only: the first `loop` segments are the loop played in gaps (default: all); any segment may end a
   * gap as its tail (the generated slate has 1 s loop segments then 0.2/0.4/0.6/0.8 s tails).
   */
  loop?: number;
}

/** One scheduled item. An item whose program is absent from `programs` (not ready) plays the slate. */
export interface TimelineItem {
  id: number;
  start: number;
  end: number;
  programId: number | null;
}

export interface ChannelTimelineInput {
  channelId: number;
  /** The station card played in gaps and in place of programs that are not ready. */
  slate: TimelineProgram;
  /** Sorted by start, not overlapping; must cover the instants asked about. */
  items: TimelineItem[];
  /** Ready programs referenced by items, by id. */
  programs: Record<number, TimelineProgram>;
  /**
   * The counters at instant `at` (at or before the first item's start, on a segment boundary of the
   * timeline): segments and program boundaries since the channel epoch. They let a window of the
   * schedule (the 48 h a site holds) give exactly the playlist that the full schedule gives.
   */
  anchor: { at: number; mediaSequence: number; discontinuitySequence: number };
}
