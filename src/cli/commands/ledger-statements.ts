/**
 * `ledger statement ACCOUNT PERIOD --format text|html|pdf` and `ledger
 * statements --period P --out DIR`: the statements as issued, for the
 * resellers (SPEC §12). Read-only on the ledger.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { RcError } from '../../errors.js';
import { resolveLimits } from '../../limits.js';
import { loadRules } from '../../compose/rules-dir.js';
import { DEFAULT_LEDGER } from '../../ledger/defaults.js';
import { replaceFile } from '../../folder/fs-writer.js';
import { EXIT, counts, out, printErrors } from '../io.js';
import { ledgerFailure, ledgerPath, parsePeriod } from './issue.js';
import { renderStatement, STATEMENT_EXT, type StatementFormat } from '../../statements/render.js';

type Format = StatementFormat;
const EXT = STATEMENT_EXT;
const render = renderStatement;

type Ledger = import('../../ledger/store.js').Ledger;
type Branding = import('../../statements/branding.js').Branding;

/**
 * Opens the command's ledger read-only and reads the branding file, runs
 * `fn`, and closes the ledger; a ledger that cannot be opened or a user
 * mistake is printed with its exit status.
 */
async function withLedger(cmd: Command, o: { ledger: string; branding?: string }, fn: (l: Ledger, b: Branding) => Promise<void>): Promise<void> {
  let l: Ledger;
  try {
    const { Ledger } = await import('../../ledger/store.js');
    l = Ledger.open(ledgerPath(cmd, o.ledger), { readonly: true });
  } catch (err) {
    fail(err);
    return;
  }
  try {
    const b = o.branding ? (await import('../../statements/branding.js')).readBranding(o.branding) : {};
    await fn(l, b);
  } catch (err) {
    fail(err);
  } finally {
    l.close();
  }
}

function fail(err: unknown): void {
  if (err instanceof RcError && !err.code.startsWith('LEDGER_')) {
    printErrors([err]);
    process.exitCode = EXIT.USAGE;
    return;
  }
  ledgerFailure(err);
}

/** Registers `ledger statement` and `ledger statements` on the `ledger` command. */
export function registerStatements(ledger: Command): void {
  const ledgerOption = () => new Option('--ledger <file>', 'the ledger file').default(DEFAULT_LEDGER);
  ledger.command('statement')
    .description('one reseller\'s statement as issued: lines, tier basis by source, the next tier and how far it is, eligibility, credit, adjustments carried, amount due')
    .argument('<account>', 'the account id')
    .argument('<period>', 'the period, YYYY-MM', parsePeriod)
    .addOption(ledgerOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'html', 'pdf']).default('text'))
    .option('--out <file>', 'write to this file (PDF needs it unless stdout is redirected)')
    .option('--branding <file>', 'company name, address, logo and colour (YAML or JSON; docs/statements.md)')
    .action(async (account: string, period: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ ledger: string; rulesDir: string; format: Format; out?: string; branding?: string }>();
      if (o.format === 'pdf' && !o.out && process.stdout.isTTY) {
        printErrors([new RcError('WRITE_FAILED', '--format pdf writes binary data: name a file with --out (or redirect stdout)')]);
        process.exitCode = EXIT.USAGE;
        return;
      }
      await withLedger(cmd, o, async (l, b) => {
        const { statementOf } = await import('../../statements/load.js');
        const v = await statementOf(l, loadRules(o.rulesDir), account, period, resolveLimits());
        const body = await render(o.format, v, b);
        if (o.out) replaceFile(o.out, body);
        else await out(typeof body === 'string' ? body : new Uint8Array(body));
      });
    });

  ledger.command('statements')
    .description('every statement of a period into a folder, in text, HTML and PDF, with a manifest of sha256 per file')
    .requiredOption('--period <YYYY-MM>', 'the period', parsePeriod)
    .requiredOption('--out <dir>', 'the folder to write into (created when missing)')
    .addOption(ledgerOption())
    .option('--formats <list>', 'which formats, comma-separated', 'text,html,pdf')
    .option('--branding <file>', 'company name, address, logo and colour (YAML or JSON; docs/statements.md)')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ ledger: string; rulesDir: string; period: string; out: string; formats: string; branding?: string }>();
      const formats = [...new Set(o.formats.split(',').map((f) => f.trim()))] as Format[];
      const wrong = formats.filter((f) => !(f in EXT));
      if (wrong.length || !formats.length) {
        printErrors([new RcError('SCHEMA', `--formats takes text, html and pdf, comma-separated; not ${JSON.stringify(wrong.join(','))}`)]);
        process.exitCode = EXIT.USAGE;
        return;
      }
      await withLedger(cmd, o, async (l, b) => {
        const { viewOf } = await import('../../statements/load.js');
        const { statementStem, sha256 } = await import('../../statements/files.js');
        const repo = loadRules(o.rulesDir);
        const limits = resolveLimits();
        mkdirSync(o.out, { recursive: true });
        const manifest: { account: string; period: string; entry: string; files: Record<string, { file: string; sha256: string }> }[] = [];
        const errors: RcError[] = [];
        for (const e of l.entries({ period: o.period, kind: 'issue' })) {
          let v;
          try { v = await viewOf(l, repo, e, limits); } catch (err) {
            if (err instanceof RcError) { errors.push(err); continue; }
            throw err;
          }
          const stem = statementStem(e.account, e.id);
          const files: Record<string, { file: string; sha256: string }> = {};
          for (const f of formats) {
            const body = await render(f, v, b);
            const name = `${stem}.${EXT[f]}`;
            writeFileSync(join(o.out, name), body);
            files[f] = { file: name, sha256: sha256(body) };
          }
          manifest.push({ account: e.account, period: e.period, entry: e.id, files });
        }
        replaceFile(join(o.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
        printErrors(errors);
        counts(`${manifest.length} statement(s) of ${o.period} written to ${o.out} (${formats.join(', ')}); ${errors.length} error(s)`);
        process.exitCode = errors.length ? EXIT.INVALID : EXIT.OK;
      });
    });
}
