// The language server, driven with LSP messages over a pair of streams (the same server `evg lsp`
// runs on stdio; one test also spawns that process). Expected positions are counted by hand
// from the texts below.
import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  StreamMessageReader, StreamMessageWriter, createProtocolConnection, type ProtocolConnection,
} from 'vscode-languageserver/node';
import type { CompletionItem, Diagnostic, DocumentSymbol, Hover, Location, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver';
import { startStreamServer } from '../src/lsp/server.js';
import { tempDir } from './helpers.js';

const STDLIB_DEVICES = resolve('stdlib/devices.evg');

class Client {
  readonly conn: ProtocolConnection;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly closed: Promise<number>;

  constructor() {
    const toServer = new PassThrough(), toClient = new PassThrough();
    this.closed = startStreamServer(toServer, toClient, { debounceMs: 10 }).closed;
    this.conn = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
      for (const w of this.waiters.filter((x) => x.uri === p.uri)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(p);
      }
    });
    this.conn.listen();
  }

  async initialize(root: string) {
    const r = await this.conn.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(root).href, capabilities: {} });
    await this.conn.sendNotification('initialized', {});
    return r as { capabilities: Record<string, unknown> };
  }

  /** The next diagnostics published for `uri`. */
  nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams> {
    return new Promise((res) => this.waiters.push({ uri, resolve: res }));
  }

  async open(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
    const next = this.nextDiagnostics(uri);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'evg', version, text } });
    return next;
  }

  async change(uri: string, text: string, version: number): Promise<PublishDiagnosticsParams> {
    const next = this.nextDiagnostics(uri);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return next;
  }

  request<T>(method: string, uri: string, line: number, character: number, extra: object = {}): Promise<T> {
    return this.conn.sendRequest(method, { textDocument: { uri }, position: { line, character }, ...extra }) as Promise<T>;
  }

  async shutdown() {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const code = await this.closed;
    this.conn.dispose();
    return code;
  }
}

// Line numbers (0-based) are noted on the right; columns are counted in the tests.
const MODEL = [
  'import stdlib.devices', //                                                            0
  'horizon T = 4 steps of 1 h', //                                                       1
  'set B = {b1, b2}', //                                                                 2
  '/// energy capacity of each battery', //                                              3
  'param cap[B] : MWh = {b1: 1, b2: 2}', //                                              4
  'instance bess[b in B] = Battery(e_max = cap[b], p_ch_max = 1 MW, p_dis_max = 1 MW)', // 5
  'instance one = Battery(e_max = 2 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW)', //          6
  'param load[T] : MW = [1, 2, 1.5, 1]', //                                              7
  'var grid[t in T] : MW in [0, 5 MW]', //                                               8
  'constraint bal[t in T]: grid[t] + sum(b in B) bess[b].p_net[t] + one.p_net[t] == load[t]', // 9
  'minimize total = sum(t in T) 10 $/MWh * grid[t] * step(T)', //                        10
  '',
].join('\n');

describe('language server', () => {
  let client: Client;
  let dir: string;
  let uri: string;

  beforeAll(async () => {
    dir = tempDir({ 'lib/net.evg': '/// buses of the feeder\nset N = 1..3\n' });
    uri = pathToFileURL(join(dir, 'model.evg')).href;
    writeFileSync(join(dir, 'model.evg'), MODEL);
    client = new Client();
    const init = await client.initialize(dir);
    expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentSymbolProvider: true });
  });

  afterAll(async () => {
    expect(await client.shutdown()).toBe(0);
  });

  test('a valid model has no diagnostics', async () => {
    const d = await client.open(uri, MODEL);
    expect(d.diagnostics).toEqual([]);
  });

  test('diagnostics as you type: position, code, severity and hint', async () => {
    // `kWh` added to `MW` on line 9: E0401 at `grid[t] + 1 kWh` (col 24, 0-based).
    const bad = MODEL.replace('grid[t] + sum(b in B)', 'grid[t] + 1 kWh + sum(b in B)');
    const d = await client.change(uri, bad, 2);
    expect(d.version).toBe(2);
    expect(d.diagnostics.map((x) => [x.code, x.severity, x.range.start.line, x.range.start.character])).toEqual([['E0401', 1, 9, 24]]);
    expect(d.diagnostics[0]!.message).toMatch(/cannot add MW .* and kWh/);
    expect(d.diagnostics[0]!.message).toMatch(/hint: /);
    expect(d.diagnostics[0]!.source).toBe('evg');
    // A syntax error: `=` where a relation is expected (line 9, col 56: the `=` of `==` turned into `=`).
    const syntax = MODEL.replace('one.p_net[t] == load[t]', 'one.p_net[t] = load[t]');
    const s = await client.change(uri, syntax, 3);
    const e = s.diagnostics.find((x) => x.code === 'E0002')!;
    expect(e.range.start).toEqual({ line: 9, character: 'constraint bal[t in T]: grid[t] + sum(b in B) bess[b].p_net[t] + one.p_net[t] '.length });
    expect(e.range.end.character).toBe(e.range.start.character + 1);
    // Fixing it clears the diagnostics.
    const ok = await client.change(uri, MODEL, 4);
    expect(ok.diagnostics).toEqual([]);
  });

  test('warnings have warning severity; end positions follow the span', async () => {
    const warnUri = pathToFileURL(join(dir, 'warn.evg')).href;
    const text = 'param h = 2\nparam d : min = 2 h\nvar x >= 0\nconstraint c: x >= d / 1 min\nminimize m = x\n';
    const d = await client.open(warnUri, text);
    const w = d.diagnostics.find((x) => x.code === 'W0201')!;
    expect(w.severity).toBe(2);
    expect(w.range.start).toEqual({ line: 1, character: 18 });
  });

  test('hover: kind, unit and doc comment', async () => {
    // `cap` in `e_max = cap[b]` on line 5, col 39.
    const h = await client.request<Hover>('textDocument/hover', uri, 5, 40);
    const v = (h.contents as { value: string }).value;
    expect(v).toContain('param cap[B] : MWh');
    expect(v).toContain('*parameter*');
    expect(v).toContain('unit `MWh`');
    expect(v).toContain('energy capacity of each battery');
    // A member: `soc` is not used, but `p_net` (line 9, col 55) is an expression of Battery.
    const m = await client.request<Hover>('textDocument/hover', uri, 9, 56);
    const mv = (m.contents as { value: string }).value;
    expect(mv).toContain('expr p_net[t in T] : MW');
    expect(mv).toContain('of component `Battery`');
    expect(mv).toContain('power delivered to the bus');
    // An instance argument: `p_ch_max` (line 5, col 48) is a parameter of Battery with a trailing doc.
    const a = await client.request<Hover>('textDocument/hover', uri, 5, 50);
    expect((a.contents as { value: string }).value).toMatch(/p_ch_max : MW[\s\S]*component parameter[\s\S]*largest charging power/);
    // A unit: `MWh` on line 4, col 15.
    const u = await client.request<Hover>('textDocument/hover', uri, 4, 16);
    expect((u.contents as { value: string }).value).toBe('unit `MWh`: energy, 1 MWh = 3600000000 J');
    // An index name: `t` in `grid[t]` on line 9.
    const t = await client.request<Hover>('textDocument/hover', uri, 9, 29);
    expect((t.contents as { value: string }).value).toContain('t in T');
    expect((t.contents as { value: string }).value).toContain('*index*');
  });

  test('definition: into stdlib/devices.evg, across a relative import, and of index names', async () => {
    const loc = await client.request<Location>('textDocument/definition', uri, 5, 26); // `Battery`
    expect(loc.uri).toBe(pathToFileURL(STDLIB_DEVICES).href);
    const devices = readFileSync(STDLIB_DEVICES, 'utf8').split('\n');
    const line = devices.findIndex((l) => l.startsWith('component Battery('));
    expect(loc.range.start).toEqual({ line, character: 'component '.length });
    expect(loc.range.end).toEqual({ line, character: 'component Battery'.length });
    // A member: `p_net` -> its declaration in Battery.
    const mem = await client.request<Location>('textDocument/definition', uri, 9, 56);
    expect(mem.uri).toBe(pathToFileURL(STDLIB_DEVICES).href);
    expect(devices[mem.range.start.line]).toMatch(/^\s*expr p_net\[/);
    // An argument name -> the component parameter.
    const arg = await client.request<Location>('textDocument/definition', uri, 5, 50);
    expect(devices[arg.range.start.line]).toMatch(/^\s*p_ch_max : MW/);
    // The index `t` of `grid[t]` -> the binding `t in T` of the constraint (line 9, col 15).
    const idx = await client.request<Location>('textDocument/definition', uri, 9, 29);
    expect(idx).toEqual({ uri, range: { start: { line: 9, character: 15 }, end: { line: 9, character: 16 } } });
    // The import line -> the module file.
    const imp = await client.request<Location>('textDocument/definition', uri, 0, 10);
    expect(imp.uri).toBe(pathToFileURL(STDLIB_DEVICES).href);
    // A relative import, and a name declared there.
    const relUri = pathToFileURL(join(dir, 'rel.evg')).href;
    await client.open(relUri, 'import "lib/net.evg"\nparam load[N] : MW = [0, 1, 0.5]\n');
    const n = await client.request<Location>('textDocument/definition', relUri, 1, 11);
    expect(n).toEqual({ uri: pathToFileURL(join(dir, 'lib/net.evg')).href, range: { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } } });
    const hn = await client.request<Hover>('textDocument/hover', relUri, 1, 11);
    expect((hn.contents as { value: string }).value).toContain('buses of the feeder');
  });

  test('completion: members after `.`, units after `:` and after a number, names in scope', async () => {
    const text = MODEL.replace('minimize total', 'expr probe[t in T] : MW = one.\nminimize total');
    await client.change(uri, text, 10);
    const members = await client.request<CompletionItem[]>('textDocument/completion', uri, 10, 'expr probe[t in T] : MW = one.'.length);
    const labels = members.map((c) => c.label).sort();
    for (const m of ['p_ch', 'p_dis', 'soc', 'p_net', 'degradation', 'e_max', 'energy_balance']) expect(labels).toContain(m);
    expect(labels).not.toContain('grid');
    expect(members.find((c) => c.label === 'soc')!.detail).toBe('var soc[t in T] : MWh in [e_min, e_max]');
    // Indexed instance: `bess[b].`
    const text2 = MODEL.replace('minimize total', 'expr probe2[t in T] : MW = sum(b in B) bess[b].\nminimize total');
    await client.change(uri, text2, 11);
    const m2 = await client.request<CompletionItem[]>('textDocument/completion', uri, 10, 'expr probe2[t in T] : MW = sum(b in B) bess[b].'.length);
    expect(m2.map((c) => c.label)).toContain('soc');
    // Units after `:` in a declaration.
    const text3 = MODEL.replace('minimize total', 'param price : \nminimize total');
    await client.change(uri, text3, 12);
    const units = await client.request<CompletionItem[]>('textDocument/completion', uri, 10, 'param price : '.length);
    const ul = units.map((c) => c.label);
    for (const u of ['MW', 'kWh', '$', 'k$', 'p.u.', '%', 'h']) expect(ul).toContain(u);
    expect(ul).not.toContain('cap');
    // Units after a number.
    const text4 = MODEL.replace('minimize total', 'param p2 : MW = 5 \nminimize total');
    await client.change(uri, text4, 13);
    const u2 = await client.request<CompletionItem[]>('textDocument/completion', uri, 10, 'param p2 : MW = 5 '.length);
    expect(u2.map((c) => c.label)).toContain('MW');
    // Names in scope inside a constraint: the index `t`, model declarations, functions, keywords.
    const inScope = await client.request<CompletionItem[]>('textDocument/completion', uri, 9, 'constraint bal[t in T]: grid['.length);
    const sl = inScope.map((c) => c.label);
    for (const n of ['t', 'grid', 'load', 'bess', 'Battery', 'first', 'sum']) expect(sl).toContain(n);
    // Instance arguments: the parameters of the component.
    const text5 = MODEL.replace('minimize total', 'instance two = Generator(\nminimize total');
    await client.change(uri, text5, 14);
    const args = await client.request<CompletionItem[]>('textDocument/completion', uri, 10, 'instance two = Generator('.length);
    expect(args.filter((c) => c.insertText?.endsWith(' = ')).map((c) => c.label)).toEqual(
      expect.arrayContaining(['p_max', 'ramp_up', 'ramp_down', 'c_energy', 'c_quad']));
    await client.change(uri, MODEL, 15);
  });

  test('document symbols: declarations, components with parameters and members', async () => {
    const compUri = pathToFileURL(join(dir, 'comp.evg')).href;
    const text = [
      'horizon T = 2 steps of 1 h',
      'component Dev(T : set = horizon, cap : kW) {',
      '  var p[t in T] : kW in [0, cap]',
      '  cost c = sum(t in T) 1 $/kWh * p[t] * step(T)',
      '}',
      'instance d = Dev(cap = 5 kW)',
      'minimize m = d.c',
      '',
    ].join('\n');
    await client.open(compUri, text);
    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', compUri, 0, 0);
    expect(syms.map((s) => [s.name, s.kind])).toEqual([['T', 10], ['Dev', 5], ['d', 19], ['m', 16]]);
    const dev = syms[1]!;
    expect(dev.children!.map((c) => c.name)).toEqual(['T', 'cap', 'p', 'c']);
    expect(dev.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 4, character: 1 } });
    expect(dev.selectionRange).toEqual({ start: { line: 1, character: 10 }, end: { line: 1, character: 13 } });
    expect(dev.children![2]!.detail).toBe('[t in T] : kW in [0, cap]');
  });

  test('formatting: the whole document, as evg fmt does', async () => {
    const fmtUri = pathToFileURL(join(dir, 'fmt.evg')).href;
    await client.open(fmtUri, 'set   G={g1,g2}\nparam  c[G]:$/MWh={g1:1,g2:2}\n');
    const edits = await client.conn.sendRequest('textDocument/formatting', { textDocument: { uri: fmtUri }, options: { tabSize: 2, insertSpaces: true } }) as TextEdit[];
    expect(edits).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, newText: 'set G = {g1, g2}\nparam c[G] : $/MWh = {g1: 1, g2: 2}\n' }]);
  });
});

describe('evg lsp as a process', () => {
  test.runIf(existsSync('dist/lsp/server.js') && existsSync('dist/cli/main.js'))('answers initialize over stdio and exits after shutdown/exit', async () => {
    // `node bin/evg.js lsp` once main.ts registers the editor commands; until then the same server module.
    const wired = readFileSync('dist/cli/main.js', 'utf8').includes('addEditorCommands');
    const script = "import('./dist/lsp/server.js').then((m) => m.runStdioServer())";
    const args = wired ? ['bin/evg.js', 'lsp', '--stdio'] : ['--input-type=module', '-e', script];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    conn.listen();
    const diags: Diagnostic[][] = [];
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { diags.push(p.diagnostics); });
    const init = await conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} }) as { capabilities: { completionProvider?: object } };
    expect(init.capabilities.completionProvider).toBeDefined();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    expect(await exited).toBe(0);
    conn.dispose();
  });
});
