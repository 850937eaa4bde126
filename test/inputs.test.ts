/**
 * Every input is read or refused clearly (SPEC §4, §5 "Inputs"; issue 7
 * items 7, 8, 9): standard input and pipes, FIFOs/sockets/devices, and text
 * that is not UTF-8. Hostile bytes are fixture files (test/fixtures/encoding);
 * FIFOs and sockets, which git cannot hold, are made in a temp folder.
 * The CLI runs in this process (test/support/run-cli.ts, standard input
 * given as a buffer) except where a real pipe, FIFO, socket or device is read
 * or must not be: those tests spawn it, so that a hang cannot block the tests.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as cli } from './support/run-cli.js';
import { cli as spawnCli } from './support/versions-cli.js';
import { tempDir } from './support/temp.js';

const BIN = 'bin/reseller-credits.js';
const E = 'test/fixtures/encoding';

/** The CLI (in this process, test/support/run-cli.ts) with `input` on its standard input. */
const withStdin = (args: readonly string[], input: string | Buffer) => cli(args, { stdin: input });

const rec = (account: string, amount = '25.00') =>
  `{"schemaVersion":1,"account":"${account}","period":"2026-11","lineItems":[{"service":"hipaa-fee","amount":"${amount}"}]}`;
const yamlDoc = (account: string) => `schemaVersion: 1\naccount: ${account}\nperiod: 2026-11\nlineItems: [{ service: hipaa-fee, amount: "25.00" }]\n`;
const accounts = (ndjson: string) => ndjson.trim().split('\n').map((l) => JSON.parse(l)).map((o) => o.account ?? `error:${o.error.message}`);

describe('standard input (-)', () => {
  it('NDJSON is recognised and evaluated: printf … | reseller-credits evaluate -', async () => {
    const r = await withStdin(['evaluate', '--format', 'ndjson', '-'], `${rec('S-1')}\n${rec('S-2', '60.00')}\n`);
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => [o.account, o.monthlyPayments.total])).toEqual([['S-1', '25.00'], ['S-2', '60.00']]);
    expect(r.stderr).toBe('2 record(s): 2 evaluated, 0 error(s)\n');
  });

  it('recognises a JSON array, one pretty-printed JSON document, and YAML', async () => {
    const array = await withStdin(['evaluate', '--format', 'ndjson', '-'], `  \n[${rec('A-1')},\n ${rec('A-2')}]\n`);
    expect(accounts(array.stdout)).toEqual(['A-1', 'A-2']);
    const pretty = await withStdin(['evaluate', '--format', 'ndjson', '-'], JSON.stringify(JSON.parse(rec('P-1')), null, 2));
    expect(accounts(pretty.stdout)).toEqual(['P-1']);
    expect(pretty.status).toBe(0);
    const yaml = await withStdin(['evaluate', '--format', 'ndjson', '-'], `${yamlDoc('Y-1')}---\n${yamlDoc('Y-2')}`);
    expect(accounts(yaml.stdout)).toEqual(['Y-1', 'Y-2']);
  });

  it('--input-format overrides the recognition', async () => {
    // one line of JSON is NDJSON by content; as yaml it is one YAML (flow) document: the same snapshot
    const asYaml = await withStdin(['evaluate', '--format', 'ndjson', '--input-format', 'yaml', '-'], `${rec('F-1')}\n`);
    expect(accounts(asYaml.stdout)).toEqual(['F-1']);
    // YAML forced to be read as NDJSON: every line is a JSON error, named <stdin> with its line
    const forced = await withStdin(['evaluate', '--format', 'ndjson', '--input-format', 'ndjson', '-'], yamlDoc('F-2'));
    expect(forced.status).toBe(1);
    expect(forced.stderr).toMatch(/^<stdin>:1:1: invalid JSON/m);
    expect(forced.stderr).toMatch(/^<stdin>:4:1: invalid JSON/m);
    const bad = await cli(['evaluate', '--input-format', 'xml', '-']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("argument 'xml' is invalid");
  });

  it('errors from standard input are named <stdin>, with line and column', async () => {
    const r = await withStdin(['evaluate', '--format', 'ndjson', '-'], `${rec('G-1')}\n${rec('G-2', '1e3')}\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^<stdin>:2:\d+: lineItems\[0\]\.amount: /m);
    expect(JSON.parse(r.stdout.trim().split('\n')[1]!).error.file).toBe('<stdin>');
  });

  it('empty standard input is an error record, exit 1; - named twice is refused the second time', async () => {
    const empty = await withStdin(['evaluate', '-'], '\n  \n');
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('<stdin>: standard input holds no snapshot (it is empty or blank)');
    const twice = await withStdin(['evaluate', '--format', 'ndjson', '-', '-'], `${rec('T-1')}\n`);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('<stdin>: standard input (-) is named twice; it can be read only once');
  });

  it('whatif reads standard input too', async () => {
    const r = await withStdin(['whatif', '--baseline', '2026-01', '--candidate', 'rules/2027-01.yaml', '--format', 'csv', '-'], `${rec('W-1', '450.00')}\n`);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^W-1,2026-11,/);
  });

  it('NDJSON from standard input is streamed: a record is evaluated before the input ends, its output held to the end', async () => {
    // a later record may refuse an earlier one (SPEC §4, one reseller twice in a run), so results wait for the end of the
    // input; an error line goes to stderr as soon as its record is evaluated
    const child = spawn(process.execPath, [BIN, 'evaluate', '--format', 'ndjson', '--jobs', '1', '-'], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const firstError = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/^<stdin>:1:/m.test(err)) resolve();
      });
    });
    child.stdin.write(`${rec('ST-1', '1e3')}\n`);
    await firstError; // the input is still open: only the first record has been written, and it was evaluated
    expect(out).toBe('');
    child.stdin.end(`${rec('ST-2')}\n`);
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(1);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { account?: string; error?: { file: string; line: number } });
    expect(lines.map((l) => [l.account, l.error?.file, l.error?.line])).toEqual([['ST-1', '<stdin>', 1], ['ST-2', undefined, undefined]]);
  });
});

describe('FIFOs, sockets and devices', () => {
  const dir = tempDir('rc-inputs-');
  const servers: Server[] = [];
  afterAll(() => { for (const s of servers) s.close(); });

  it('a FIFO and a socket inside a folder are error records naming them; the run ends; other records are evaluated', async () => {
    const folder = join(dir, 'portfolio');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.ndjson'), `${rec('D-1')}\n`);
    execFileSync('mkfifo', [join(folder, 'b-pipe.ndjson')]);
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(folder, 'c-socket'), resolve));
    writeFileSync(join(folder, 'd.yaml'), yamlDoc('D-2'));
    const r = spawnCli(['evaluate', '--format', 'ndjson', folder]); // a hang would fail the test by its timeout
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${folder}/b-pipe.ndjson: is a FIFO (named pipe), not a regular file: only regular files are read from a folder; not read`);
    expect(r.stderr).toContain(`${folder}/c-socket: is a socket, not a regular file: only regular files are read from a folder; not read`);
    expect(accounts(r.stdout)).toEqual(['D-1', expect.stringMatching(/^error:is a FIFO/), expect.stringMatching(/^error:is a socket/), 'D-2']);
    expect(r.stderr).toContain('4 record(s): 2 evaluated, 2 error(s)');
  });

  it('a device or a socket named on the command line is an error record naming what it is', () => {
    const r = spawnCli(['evaluate', '--format', 'ndjson', '/dev/zero', join(dir, 'portfolio', 'c-socket'), `${E}/utf8-bom.ndjson`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/dev/zero: is a character device, not a file: not read (name a file, a folder, a pipe, or - for standard input)');
    expect(r.stderr).toContain('c-socket: is a socket, not a file: not read');
    expect(accounts(r.stdout).slice(2)).toEqual(['B-1', 'B-2']);
  });

  it('a pipe named on the command line is streamed like -: <(cat …) and a FIFO', async () => {
    const viaBash = spawnSync('bash', ['-c', `node ${BIN} evaluate --format ndjson <(cat examples/portfolio.ndjson)`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const direct = await cli(['evaluate', '--format', 'ndjson', 'examples/portfolio.ndjson']);
    expect(viaBash.stdout.trim().split('\n')).toHaveLength(12); // examples/README.md: 12 accounts
    expect(viaBash.stdout).toBe(direct.stdout);
    expect(viaBash.status).toBe(direct.status);

    const fifo = join(dir, 'named.yaml');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(process.execPath, [BIN, 'evaluate', '--format', 'ndjson', fifo], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    writeFileSync(fifo, `${yamlDoc('FF-1')}---\n${yamlDoc('FF-2')}`); // blocks until the CLI opens the FIFO
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(accounts(out)).toEqual(['FF-1', 'FF-2']);
  });
});

describe('encodings: UTF-8 only, never repaired in silence', () => {
  const run = (...files: string[]) => cli(['evaluate', '--format', 'ndjson', ...files.map((f) => `${E}/${f}`)]);
  const msg = 'the file must be UTF-8 (was it saved as Latin-1 or Windows-1252?)';

  it('invalid UTF-8 in NDJSON: that line is an error naming line, column and byte; two different bad bytes never become one account', async () => {
    const r = await run('bad-utf8.ndjson');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${E}/bad-utf8.ndjson:2:33: invalid UTF-8: the byte 0xFF never occurs in UTF-8; ${msg}`);
    expect(r.stderr).toContain(`${E}/bad-utf8.ndjson:3:33: invalid UTF-8: the byte 0xFE never occurs in UTF-8; ${msg}`);
    expect(accounts(r.stdout)).toEqual(['E-1', expect.stringMatching(/^error:invalid UTF-8/), expect.stringMatching(/^error:invalid UTF-8/), 'E-4']);
    expect(r.stdout).not.toContain('\ufffd');
  });

  it('cut-short, overlong and surrogate sequences, and NUL bytes, are named', async () => {
    const r = await run('truncated.ndjson', 'overlong.ndjson', 'surrogate.ndjson', 'nul.ndjson');
    expect(r.stderr).toContain(`${E}/truncated.ndjson:3:16: invalid UTF-8: the sequence starting with 0xC3 is cut short (at the end of the line or file)`);
    expect(r.stderr).toContain(`${E}/overlong.ndjson:1:33: invalid UTF-8: an overlong encoding of U+002F`);
    expect(r.stderr).toContain(`${E}/surrogate.ndjson:1:33: invalid UTF-8: an encoded UTF-16 surrogate`);
    expect(r.stderr).toContain(`${E}/nul.ndjson:2:33: a NUL byte (0x00): this is not UTF-8 text (UTF-16 without a byte-order mark?); convert it to UTF-8`);
    expect(accounts(r.stdout).filter((a) => !a.startsWith('error:'))).toEqual(['T-1', 'T-2', 'O-2', 'N-1', 'N-3']);
  });

  it('UTF-16 (with a byte-order mark) is refused whole: "UTF-16 is not supported; convert to UTF-8"', async () => {
    const r = await run('utf16le.json', 'utf16be.yaml');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${E}/utf16le.json:1:1: the file is UTF-16LE (it starts with a UTF-16 byte-order mark): UTF-16 is not supported; convert to UTF-8`);
    expect(r.stderr).toContain(`${E}/utf16be.yaml:1:1: the file is UTF-16BE`);
    expect(r.stderr).toContain('2 record(s): 0 evaluated, 2 error(s)');
    const noBom = await run('utf16le-no-bom.ndjson');
    expect(noBom.stderr).toContain(`${E}/utf16le-no-bom.ndjson:1:2: a NUL byte (0x00)`);
  });

  it('a UTF-8 byte-order mark is fine', async () => {
    const r = await run('utf8-bom.ndjson', 'utf8-bom.yaml');
    expect(r.status).toBe(0);
    expect(accounts(r.stdout)).toEqual(['B-1', 'B-2', 'B-3']);
  });

  it('in a YAML stream or a JSON array only the record holding the bad line is refused', async () => {
    const r = await run('latin1.yaml', 'latin1-array.json');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${E}/latin1.yaml:11:17: invalid UTF-8: the sequence starting with 0xE9 is cut short by 0x2E`);
    expect(r.stderr).toContain(`${E}/latin1-array.json:3:33: invalid UTF-8`);
    expect(accounts(r.stdout)).toEqual(['L-1', expect.stringMatching(/^error:invalid UTF-8/), 'L-3', 'J-1', expect.stringMatching(/^error:invalid UTF-8/), 'J-3']);
  });

  it('from standard input too', async () => {
    const r = await withStdin(['evaluate', '--format', 'ndjson', '-'], Buffer.from(`${rec('I-1')}\n${rec('I-\u00e9')}\n`, 'latin1'));
    expect(r.stderr).toContain('<stdin>:2:33: invalid UTF-8');
    expect(accounts(r.stdout)[0]).toBe('I-1');
  });

  it('rule files and case files are checked the same way', async () => {
    const rules = await cli(['evaluate', '--rules-file', `${E}/latin1-rules.yaml`, `${E}/utf8-bom.yaml`]);
    expect(rules.status).toBe(2);
    expect(rules.stderr).toContain(`${E}/latin1-rules.yaml:22:23: invalid UTF-8: the sequence starting with 0xE9 is cut short by 0x64`);
    const cases = await cli(['test', `${E}/cases`]);
    expect(cases.status).toBe(1);
    expect(cases.stdout).toContain(`${E}/cases/latin1-case.yaml:1:42: invalid UTF-8: the sequence starting with 0xE9 is cut short by 0x20`);
  });

  it('a character cut by a chunk boundary of the NDJSON reader is not an error', async () => {
    const dir = tempDir('rc-chunk-');
    const file = join(dir, 'boundary.ndjson');
    // pad the first record so that the 2-byte "é" of the second sits on bytes 262143-262144: across the first chunk's end
    const second = rec('é-2');
    const before = Buffer.byteLength(second.slice(0, second.indexOf('é')));
    const padded = (n: number) => `${rec('X-1').slice(0, -1)},"_":"${'p'.repeat(n)}"}\n`;
    const first = padded(262143 - before - Buffer.byteLength(padded(0)));
    writeFileSync(file, `${first}${second}\n`);
    expect(Buffer.byteLength(first) + before).toBe(262143);
    const r = await cli(['evaluate', '--format', 'ndjson', file]);
    expect(r.stderr).not.toContain('UTF-8');
    expect(accounts(r.stdout)[1]).toBe('é-2');
  });
});
