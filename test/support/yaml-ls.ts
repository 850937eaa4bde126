/**
 * A small LSP client for tests: starts yaml-language-server over stdio (the
 * server editors such as VS Code's YAML extension run), opens documents and
 * collects the diagnostics it publishes. Framing and JSON-RPC by vscode-jsonrpc.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

/** One diagnostic, with its 1-based line and column as an editor shows them. */
export interface Diagnostic { line: number; column: number; message: string; severity: number }

/** The `yaml` settings of the tests: validation and hover on, no schema-store download. */
const SETTINGS = { validate: true, hover: true, completion: true, format: { enable: false }, schemaStore: { enable: false }, schemas: {} };

/** A running language server. */
export interface YamlLanguageServer {
  /** Opens `file` (from the project root) and resolves to the diagnostics published for it. */
  diagnostics(file: string): Promise<Diagnostic[]>;
  /** The hover text at a 1-based line and column of an opened file. */
  hover(file: string, line: number, column: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startYamlLanguageServer(): Promise<YamlLanguageServer> {
  const child = spawn(process.execPath, ['node_modules/yaml-language-server/bin/yaml-language-server', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map<string, (d: Diagnostic[]) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { range: { start: { line: number; character: number } }; message: string; severity: number }[] }) => {
    const done = waiting.get(p.uri);
    if (!done) return;
    waiting.delete(p.uri);
    done(p.diagnostics.map((d) => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message, severity: d.severity }))
      .sort((a, b) => a.line - b.line || a.column - b.column));
  });
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
    p.items.map((i) => (i.section === 'yaml' ? SETTINGS : i.section?.startsWith('yaml.') ? (SETTINGS as Record<string, unknown>)[i.section.slice(5)] : null)));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onNotification(() => undefined);
  conn.listen();
  const root = pathToFileURL(resolve('.')).href;
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: 'reseller-credits' }],
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
      textDocument: { publishDiagnostics: {}, hover: { contentFormat: ['markdown', 'plaintext'] }, synchronization: {} },
    },
    initializationOptions: {},
  });
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: SETTINGS } });
  const uriOf = (file: string) => pathToFileURL(resolve(file)).href;
  return {
    diagnostics(file) {
      const uri = uriOf(file);
      const published = new Promise<Diagnostic[]>((res) => waiting.set(uri, res));
      void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: readFileSync(file, 'utf8') } });
      return published;
    },
    async hover(file, line, column) {
      const r = await conn.sendRequest('textDocument/hover', { textDocument: { uri: uriOf(file) }, position: { line: line - 1, character: column - 1 } }) as { contents: unknown } | null;
      const c = r?.contents as { value?: string } | string | undefined;
      return typeof c === 'string' ? c : c?.value ?? '';
    },
    async stop() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } finally {
        conn.dispose();
        if (child.exitCode === null) await new Promise((r) => { child.once('exit', r); setTimeout(() => { child.kill(); }, 2000).unref(); });
        if (stderr.includes('Error')) process.stderr.write(stderr);
      }
    },
  };
}
