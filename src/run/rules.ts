/**
 * The rule sets of one run, pinned when it starts: the main thread reads the
 * rules folder (or a rule set file) once and hands every batch the *texts* it
 * read, not a folder to read again. A worker builds its rule sets from those
 * texts (once per pin, cached), so a folder edited while a run streams its
 * input cannot give one run two rule sets, and a long-lived process (the HTTP
 * service) sees each run's folder as it was when that run started.
 */
import { createHash } from 'node:crypto';
import type { RuleSet } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { parseRuleSetText, ruleSetSource } from '../compose/ruleset-loader.js';
import type { RuleChoice } from './record.js';

/** One rule set as read: its file name (for messages) and its text. */
export interface PinnedSource { file: string; text: string }

/** What a run's tasks carry: the rule sets' texts and how a snapshot picks one. */
export interface PinnedRules {
  /** sha256 over everything below: the workers' cache key */
  pin: string;
  /** `fixed`: the one source applies to every snapshot; `by-period`: the published one effective for the snapshot's period */
  by: 'fixed' | 'by-period';
  /** the rules folder (named in messages) */
  dir: string;
  sources: PinnedSource[];
}

// a thread's rule sets by pin; the main thread registers what it pinned, so an inline run builds nothing twice
const built = new Map<string, RuleChoice>();
/** Pins kept per thread: a long-lived process sees a new pin only when the folder changed. */
const KEEP = 16;

function remember(pin: string, choice: RuleChoice): void {
  built.delete(pin);
  built.set(pin, choice);
  while (built.size > KEEP) built.delete(built.keys().next().value!);
}

function sourceOf(rs: RuleSet): PinnedSource {
  const text = ruleSetSource(rs);
  // every rule set of this process comes from parseRuleSetText, which records its text
  if (text === undefined) throw new Error(`internal: no source text recorded for rule set ${rs.id} (${rs.file})`);
  return { file: rs.file, text };
}

/** Pins `choice` (read on this thread) for a run: its texts and their hash. */
export function pinRules(choice: RuleChoice): PinnedRules {
  const fixed = choice.kind === 'fixed';
  const dir = fixed ? '' : choice.repo.dir;
  const sources = fixed ? [sourceOf(choice.ruleSet)] : choice.repo.ruleSets.map(sourceOf);
  const h = createHash('sha256').update(JSON.stringify([choice.kind, dir]));
  for (const s of sources) h.update('\0').update(s.file).update('\0').update(s.text);
  const pinned: PinnedRules = { pin: h.digest('hex'), by: fixed ? 'fixed' : 'by-period', dir, sources };
  remember(pinned.pin, choice);
  return pinned;
}

/** The rule choice of `pinned`, built on this thread from its texts the first time. */
export function choiceOf(pinned: PinnedRules, limits: LoadLimits): RuleChoice {
  const hit = built.get(pinned.pin);
  if (hit) return hit;
  const ruleSets = pinned.sources.map((s) => {
    const r = parseRuleSetText(s.text, s.file, limits);
    // the main thread validated these very texts before pinning them
    if (!r.ruleSet) throw new Error(`internal: pinned rule set ${s.file} does not validate: ${r.errors[0]?.message ?? ''}`);
    return r.ruleSet;
  });
  const choice: RuleChoice = pinned.by === 'fixed'
    ? { kind: 'fixed', ruleSet: ruleSets[0]! }
    : { kind: 'by-period', repo: { dir: pinned.dir, ruleSets } };
  remember(pinned.pin, choice);
  return choice;
}

/** The one rule set of a `fixed` pin. */
export function ruleSetOf(pinned: PinnedRules, limits: LoadLimits): RuleSet {
  const c = choiceOf(pinned, limits);
  if (c.kind !== 'fixed') throw new Error('internal: a by-period pin has no single rule set');
  return c.ruleSet;
}
