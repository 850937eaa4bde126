/**
 * One block of the review document: a module of its own so that the block
 * makers (blocks.ts, finance.ts) share the type without importing each other.
 */

/** The charts the HTML report draws. */
export type ChartName = 'migration' | 'deltas' | 'by-tier';

/** One block of the document. */
export type Block =
  | { kind: 'h'; level: 1 | 2 | 3; text: string }
  | { kind: 'p'; text: string; strong?: boolean; tone?: 'pass' | 'fail' }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][]; align: ('l' | 'r')[] }
  | { kind: 'code'; text: string }
  | { kind: 'chart'; chart: ChartName; title: string };
