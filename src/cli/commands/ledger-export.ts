/**
 * `ledger export --target stripe|killbill|xero|quickbooks --mapping FILE`
 * (SPEC §12): the period's statements as the target takes them, one command
 * per system, recorded in the ledger; a repeat is refused without `--again`.
 * And `ledger pending`: the adjustments no statement carries yet.
 */
import { existsSync } from 'node:fs';
import { RcError } from '../../errors.js';
import { replaceFile } from '../../folder/fs-writer.js';
import { readMapping, MappingErrors } from '../../exports/mapping.js';
import { runVendorExport, type VendorExportResult } from '../../exports/vendor-export.js';
import type { TargetName } from '../../exports/types.js';
import { EXIT, counts, note, out, printErrors } from '../io.js';

/** Options of a vendor export. */
export interface VendorExportOpts {
  ledger: string; period: string; target: TargetName; mapping?: string; out?: string;
  includeZero?: boolean; again?: boolean; onlyNew?: boolean;
}

/** When this export is recorded: now, or the test seam's fixed time (RESELLER_CREDITS_TEST_RUN=id@time). */
function now(): string {
  const fixed = process.env.RESELLER_CREDITS_TEST_RUN?.split('@')[1];
  return fixed ?? new Date().toISOString();
}

function usage(err: RcError): void {
  printErrors([err]);
  process.exitCode = EXIT.USAGE;
}

/** Runs one vendor export; sets the exit status (0, 1 with error records, 2 for a refused run). */
export async function vendorExport(o: VendorExportOpts): Promise<void> {
  if (!o.mapping) return usage(new RcError('EXPORT_UNMAPPED', `--target ${o.target} needs --mapping FILE (schemas/mapping.schema.json): the account ids in ${o.target}`));
  let mapping;
  try {
    mapping = readMapping(o.mapping);
  } catch (err) {
    if (err instanceof MappingErrors) { printErrors(err.errors); process.exitCode = EXIT.USAGE; return; }
    throw err;
  }
  if (!existsSync(o.ledger)) return usage(new RcError('LEDGER_NOT_FOUND', 'no such ledger: make one with reseller-credits ledger init, or name it with --ledger', { file: o.ledger }));
  const { Ledger } = await import('../../ledger/store.js');
  let ledger;
  try {
    ledger = Ledger.open(o.ledger);
  } catch (err) {
    if (err instanceof RcError) return usage(err);
    throw err;
  }
  let written: VendorExportResult;
  try {
    written = runVendorExport(ledger, {
      period: o.period, target: o.target, mapping, includeZero: o.includeZero, again: o.again, onlyNew: o.onlyNew, recordedAt: now(),
    });
  } catch (err) {
    if (err instanceof RcError) return usage(err);
    throw err;
  } finally {
    ledger.close();
  }
  const text = written.text;
  // written after the commit: a file that was handed out is always on record (a failed write is re-run with --again)
  if (o.out) replaceFile(o.out, text);
  else await out(text);
  printErrors(written.errors);
  const parts = [`${written.records} record(s) for ${o.target}, net credit ${written.total}`, `${written.zero} statement(s) with net credit 0 left out${o.includeZero ? '' : ' (--include-zero keeps them)'}`];
  if (written.skipped) parts.push(`${written.skipped} exported before and skipped (--only-new)`);
  parts.push(`${written.errors.length} error(s)`);
  counts(parts.join('; '));
  if (written.exportNo !== undefined) note(`recorded in the ledger as export #${written.exportNo} (sha256 ${written.sha256})`);
  process.exitCode = written.errors.length ? EXIT.INVALID : EXIT.OK;
}
