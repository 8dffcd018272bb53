// What PostgreSQL's verdict must be after each attack, from what the attacker did. The script
// stops if the reference disagrees: a fixture that does not show its defect is worse than none.
import type { Reference, SeqRanges } from './reference.js';
import type { Tamper } from './tamper.js';

interface Expected {
  contentBreaks: SeqRanges;
  linkBreaks: SeqRanges;
  gaps: SeqRanges;
  duplicates: { seq: number; rows: number }[];
  genesis: { firstSeq: number | null; prevHashZero: boolean; ok: boolean };
  /** Checked only when given (swaps may also put times out of order). */
  timeBackwards?: SeqRanges;
}

function one(s: number): SeqRanges {
  return [[s, s]];
}

export function expectedVerdict(t: Tamper, cleanCount: number, backwardsAt?: number): Expected {
  const okGenesis = { firstSeq: 1, prevHashZero: true, ok: true };
  const base: Expected = { contentBreaks: [], linkBreaks: [], gaps: [], duplicates: [], genesis: okGenesis };
  const [s = 0, t2 = 0] = t.seqs;
  switch (t.kind) {
    case 'none':
      return { ...base, timeBackwards: backwardsAt === undefined ? [] : one(backwardsAt) };
    case 'shuffled':
    case 'decoy-schema':
    case 'recomputed':
    case 'truncated-tail':
      return { ...base, timeBackwards: [] };
    case 'edited':
      return { ...base, contentBreaks: one(s) };
    case 'edited-rehashed':
      return { ...base, linkBreaks: one(s + 1) };
    case 'deleted':
      return { ...base, gaps: one(s), linkBreaks: one(s + 1) };
    case 'deleted-range':
      return { ...base, gaps: [[s, t2]], linkBreaks: one(t2 + 1) };
    case 'inserted':
      return { ...base, contentBreaks: [[s, cleanCount + 1]], linkBreaks: one(s + 1) };
    case 'duplicate':
      return { ...base, contentBreaks: one(s), duplicates: [{ seq: s, rows: 2 }] };
    case 'reordered':
      return t2 === s + 1
        ? { ...base, contentBreaks: [[s, s + 1]], linkBreaks: [[s, s + 2]] }
        : {
            ...base,
            contentBreaks: [
              [s, s],
              [t2, t2],
            ],
            linkBreaks: [
              [s, s + 1],
              [t2, t2 + 1],
            ],
          };
    case 'bad-genesis':
      return s === 1 && t.field === 'prev_hash'
        ? { ...base, genesis: { firstSeq: 1, prevHashZero: false, ok: false } }
        : { ...base, gaps: one(1), genesis: { firstSeq: 2, prevHashZero: false, ok: false } };
    default:
      throw new Error(`no expectation for tamper kind ${t.kind}`);
  }
}

/** Throws with both sides when PostgreSQL's verdict is not the expected one. */
export function assertVerdict(name: string, ref: Reference, exp: Expected): void {
  const got: Record<string, unknown> = {
    contentBreaks: ref.contentBreaks,
    linkBreaks: ref.linkBreaks,
    gaps: ref.gaps,
    duplicates: ref.duplicates,
    genesis: ref.genesis,
  };
  const want: Record<string, unknown> = { ...exp };
  delete want.timeBackwards;
  if (exp.timeBackwards !== undefined) {
    got.timeBackwards = ref.timeBackwards;
    want.timeBackwards = exp.timeBackwards;
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      `${name}: PostgreSQL's verdict differs from the attack\n got ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`,
    );
  }
}
