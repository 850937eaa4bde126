/**
 * One recorded vendor export (SPEC §12) on an open ledger: the period's
 * issue entries through one target, the repeat check against the ledger's
 * export record, and the record of this export, in one transaction. The
 * command line (`ledger export --target`) and the service
 * (`POST /v1/ledger/export`) both run this, so the file, its sha256 and the
 * refusals are the same whichever way it is asked for.
 */
import { createHash } from 'node:crypto';
import { RcError } from '../errors.js';
import type { Ledger } from '../ledger/store.js';
import { exportedBefore, migrateExportLog, recordExport } from '../ledger/export-log.js';
import { programVersion } from '../ledger/version.js';
import { exportStatements } from './run-export.js';
import { TARGETS } from './targets.js';
import { exportStatement, type Mapping, type TargetName } from './types.js';

/** What to export. */
export interface VendorExportRequest {
  period: string;
  target: TargetName;
  mapping: Mapping;
  includeZero?: boolean;
  /** write (and record) entries exported to this target before */
  again?: boolean;
  /** write only entries not exported to this target before */
  onlyNew?: boolean;
  /** when the export is recorded (ISO 8601) */
  recordedAt: string;
  /** seconds to wait for a busy ledger (default 60) */
  waitSeconds?: number;
}

/** What was written and recorded. */
export interface VendorExportResult {
  /** the file's text, exactly as the target takes it */
  text: string;
  /** its sha256, as recorded */
  sha256: string;
  records: number;
  zero: number;
  /** error records (an account without a mapping, a charge back the target cannot take): the rest are written */
  errors: RcError[];
  /** Σ net credit of the written records */
  total: string;
  /** entries left out by `onlyNew` */
  skipped: number;
  /** the export's number in the ledger's record; undefined when nothing was written */
  exportNo?: number;
}

/**
 * Runs the export on `ledger` (opened writable: the export is recorded).
 * Throws `RcError` LEDGER_NOT_FOUND for a ledger without entries, EXPORT_REPEAT
 * when entries were exported to the target before (without `again` or
 * `onlyNew`; nothing is written), EXPORT_UNMAPPED when the mapping lacks
 * what the target needs; anything thrown rolls the transaction back.
 */
export function runVendorExport(ledger: Ledger, r: VendorExportRequest): VendorExportResult {
  const db = ledger.db;
  if ((db.pragma('user_version', { simple: true }) as number) < 1) {
    throw new RcError('LEDGER_NOT_FOUND', 'the ledger has no entries yet (issue a period first)', { file: ledger.file });
  }
  ledger.begin(r.waitSeconds ?? 60);
  try {
    migrateExportLog(db);
    const all = [...ledger.entries({ period: r.period, kind: 'issue' })].map(exportStatement);
    const before = exportedBefore(db, r.target, all.map((s) => s.entry));
    const statements = r.onlyNew ? all.filter((s) => !before.has(s.entry)) : all;
    const x = exportStatements(statements, TARGETS[r.target], r.mapping, { includeZero: r.includeZero });
    const repeated = x.entries.filter((e) => before.has(e));
    if (repeated.length && !r.again) {
      const first = before.get(repeated[0]!)!;
      throw new RcError('EXPORT_REPEAT',
        `${repeated.length} of the ${x.entries.length} statement(s) of ${r.period} were exported to ${r.target} before (export #${first.seq} on ${first.recordedAt}, file sha256 ${first.fileSha256}); `
        + `importing them again would post them twice: nothing was written. Use --again to write them anyway, or --only-new to write only the others`, { file: ledger.file });
    }
    const text = x.lines.join('');
    const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
    const out: VendorExportResult = { text, sha256, records: x.entries.length, zero: x.zero, errors: x.errors, total: x.total, skipped: all.length - statements.length };
    if (x.entries.length) {
      out.exportNo = recordExport(db, {
        period: r.period, target: r.target, fileSha256: sha256, records: x.entries.length, total: x.total, again: Boolean(r.again && repeated.length),
        recordedAt: r.recordedAt, programVersion: programVersion(), entries: x.entries,
      });
    }
    ledger.commit();
    return out;
  } catch (err) {
    ledger.rollback();
    throw err;
  }
}
