// The evg language server (LSP over a stream pair, stdio for `evg lsp`).
//
// - diagnostics as you type: exactly `evg check` (compile() of the driver on the editor's text),
//   for the open file and the files and data it reads;
// - hover: kind, signature, unit and doc comment of a name; the meaning of a unit or function;
// - go to definition: declarations in any imported file (stdlib/ included), index names,
//   instance arguments (the component's parameter), members (`bess.soc`), imports;
// - completion: names in scope, members after `.`, units after `:` or a number, arguments of an
//   instance, stdlib modules after `import stdlib.`;
// - document symbols (components with their parameters and members), formatting (evg fmt).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  createConnection, TextDocuments, TextDocumentSyncKind, DiagnosticSeverity, CompletionItemKind, SymbolKind, MarkupKind,
  type Connection, type Diagnostic as LspDiagnostic, type CompletionItem, type DocumentSymbol, type Hover, type Location,
  type InitializeResult, type TextEdit, type WatchDog, type Position,
} from 'vscode-languageserver';
import { StreamMessageReader, StreamMessageWriter, createProtocolConnection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Readable, Writable } from 'node:stream';
import { compile, STDLIB_DIR } from '../driver.js';
import type * as A from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { UNIT_TABLE } from '../check/unit-names.js';
import { KIND_LABEL, Project, locate, type ReadFile, type Sym, type SymKind, diskReader, type Hit } from './analysis.js';
import { LineIndex, spanRange } from './positions.js';

export const KEYWORDS = [
  'import', 'horizon', 'steps', 'of', 'set', 'param', 'table', 'var', 'constraint', 'expr', 'cost', 'minimize',
  'maximize', 'component', 'instance', 'network', 'in', 'where', 'sum', 'if', 'then', 'else', 'and', 'or', 'not', 'integer',
  'binary', 'continuous', 'default', 'union', 'inter', 'diff', 'true', 'false', 'uncertain', 'scenarios', 'recourse',
  'treatment', 'with', 'probability', 'expectation',
];

/** Built-in functions (docs/language.md §10.6). */
export const FUNCTIONS: Record<string, string> = {
  first: '`first(S)`: the first element of a set', last: '`last(S)`: the last element of a set',
  card: '`card(S)`: the number of elements of a set', ord: '`ord(e, S)`: the 1-based position of `e` in `S`',
  prev: '`prev(e, S)`: the element before `e` in `S`', next: '`next(e, S)`: the element after `e` in `S`',
  step: '`step(T)`: the length of one period of a horizon', abs: '`abs(x)`: absolute value (of variables: a nonlinear term, lowered)',
  sqrt: '`sqrt(x)`: square root (the unit must be a square)', exp: '`exp(x)`: exponential of a dimensionless number',
  log: '`log(x)`: natural logarithm of a dimensionless number', floor: '`floor(x)`: round down', ceil: '`ceil(x)`: round up',
  round: '`round(x)`: round to the nearest whole number (halves up)',
  min: '`min(a, b, ...)` or `min(i in I) e`: the smallest value', max: '`max(a, b, ...)` or `max(i in I) e`: the largest value',
  pos: '`pos(x)`: `max(x, 0)`', norm: '`norm(x1, ..., xn)`: Euclidean norm (of variables: a second-order cone)',
  pwl: '`pwl(x, X, Y)`: the piecewise-linear function through the points (X[i], Y[i])',
  keys: '`keys(t)`: the set of key values of a table', csv: '`csv("file.csv", key = col, delimiter = ",")`: a table read from a CSV file',
  json: '`json("file.json", key = col)`: a table read from a JSON file',
};

const QUANTITY: Record<string, string> = {
  W: 'active power', var: 'reactive power', VA: 'apparent power',
};

export function describeUnit(name: string): string | undefined {
  const u = UNIT_TABLE.get(name);
  if (!u) return undefined;
  const [p, v, t, l, c] = u.dims;
  let q: string;
  const is = (a: number, b: number, cc: number, d: number, e: number) => p === a && v === b && t === cc && l === d && c === e;
  if (is(1, 0, 0, 0, 0)) q = QUANTITY[u.kind ?? 'W']!;
  else if (is(1, 0, 1, 0, 0)) q = u.kind === 'var' ? 'reactive energy' : 'energy';
  else if (is(0, 1, 0, 0, 0)) q = 'voltage';
  else if (is(1, -1, 0, 0, 0)) q = 'current';
  else if (is(-1, 2, 0, 0, 0)) q = 'impedance';
  else if (is(0, 0, 1, 0, 0)) q = 'time';
  else if (is(0, 0, 0, 1, 0)) q = 'length';
  else if (is(0, 0, 0, 0, 1)) q = 'money';
  else q = 'dimensionless';
  const base = is(1, 0, 0, 0, 0) ? (u.kind ?? 'W') : is(1, 0, 1, 0, 0) ? 'J' : is(0, 1, 0, 0, 0) ? 'V' : is(1, -1, 0, 0, 0) ? 'A'
    : is(-1, 2, 0, 0, 0) ? 'ohm' : is(0, 0, 1, 0, 0) ? 's' : is(0, 0, 0, 1, 0) ? 'm' : is(0, 0, 0, 0, 1) ? '$' : '';
  return `unit \`${name}\`: ${q}${u.factor !== 1 || base === '' ? `, 1 ${name} = ${u.factor}${base ? ` ${base}` : ''}` : ''}`;
}

const COMPLETION_KIND: Record<SymKind, CompletionItemKind> = {
  horizon: CompletionItemKind.Enum, set: CompletionItemKind.Enum, param: CompletionItemKind.Constant,
  table: CompletionItemKind.Struct, var: CompletionItemKind.Variable, constraint: CompletionItemKind.Event,
  expr: CompletionItemKind.Function, cost: CompletionItemKind.Value, objective: CompletionItemKind.Value,
  component: CompletionItemKind.Class, instance: CompletionItemKind.Module, network: CompletionItemKind.Module, uncertain: CompletionItemKind.Constant, scenarios: CompletionItemKind.Struct, cparam: CompletionItemKind.Property,
  index: CompletionItemKind.Variable,
};

const SYMBOL_KIND: Record<SymKind, SymbolKind> = {
  horizon: SymbolKind.Enum, set: SymbolKind.Enum, param: SymbolKind.Constant, table: SymbolKind.Struct,
  var: SymbolKind.Variable, constraint: SymbolKind.Event, expr: SymbolKind.Function, cost: SymbolKind.Number,
  objective: SymbolKind.Number, component: SymbolKind.Class, instance: SymbolKind.Object, network: SymbolKind.Object, uncertain: SymbolKind.Constant, scenarios: SymbolKind.Struct, cparam: SymbolKind.Property,
  index: SymbolKind.Variable,
};

// ------------------------------------------------------------------ the server

export interface ServerOptions {
  /** Milliseconds without edits before a document is checked again (default 200). */
  readonly debounceMs?: number;
}

export function toPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : resolvePath(process.cwd(), uri.replace(/^[a-z]+:/, '').replace(/[^\w.-]/g, '_') || 'untitled.evg');
}

export function toUri(path: string): string {
  return pathToFileURL(path).href;
}

/** Starts a language server on a connection; returns when the client ends the session. */
export function startServer(connection: Connection, opts: ServerOptions = {}): { documents: TextDocuments<TextDocument> } {
  const documents = new TextDocuments(TextDocument);
  const timers = new Map<string, NodeJS.Timeout>();
  /** For each open document, the other files it has diagnostics in (cleared on the next check). */
  const published = new Map<string, Set<string>>();

  const read: ReadFile = (path) => {
    const doc = documents.get(toUri(path));
    return doc ? doc.getText() : diskReader(path);
  };
  const projectOf = (doc: TextDocument) => new Project(toPath(doc.uri), doc.getText(), read);

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      completionProvider: { triggerCharacters: ['.', ':', ' '] },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
    },
    serverInfo: { name: 'evg', version: serverVersion() },
  }));

  const check = (doc: TextDocument) => {
    const path = toPath(doc.uri);
    let diags: readonly Diagnostic[];
    let texts: (file: string) => string | undefined;
    try {
      const comp = compile(path, { text: doc.getText() });
      diags = comp.diags.sorted();
      texts = (f) => comp.sources.get(f);
    } catch (e) {
      diags = [{ code: 'E0901', severity: 'error', message: `internal compiler error: ${(e as Error).message}` }];
      texts = () => undefined;
    }
    const byFile = new Map<string, LspDiagnostic[]>();
    byFile.set(path, []);
    for (const d of diags) {
      const file = d.span?.file ?? path;
      const text = file === path ? doc.getText() : texts(file);
      const index = text !== undefined ? new LineIndex(text) : undefined;
      const notesWithout = (d.notes ?? []).filter((n) => !n.span).map((n) => `note: ${n.message}`);
      const lsp: LspDiagnostic = {
        range: d.span ? spanRange(d.span, index) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        code: d.code,
        source: 'evg',
        message: [d.message, ...(d.hint ? [`hint: ${d.hint}`] : []), ...notesWithout].join('\n'),
      };
      const related = (d.notes ?? []).filter((n) => n.span).map((n) => {
        const t = n.span!.file === path ? doc.getText() : texts(n.span!.file);
        return { location: { uri: toUri(n.span!.file), range: spanRange(n.span!, t !== undefined ? new LineIndex(t) : undefined) }, message: n.message };
      });
      if (related.length) lsp.relatedInformation = related;
      if (!byFile.has(file)) byFile.set(file, []);
      byFile.get(file)!.push(lsp);
    }
    const before = published.get(doc.uri) ?? new Set<string>();
    const now = new Set<string>();
    for (const [file, list] of byFile) {
      const uri = file === path ? doc.uri : toUri(file);
      if (uri !== doc.uri) now.add(uri);
      void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: list });
    }
    for (const uri of before) if (!now.has(uri) && !documents.get(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.set(doc.uri, now);
  };

  const schedule = (doc: TextDocument) => {
    clearTimeout(timers.get(doc.uri));
    timers.set(doc.uri, setTimeout(() => {
      timers.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (current) check(current);
    }, opts.debounceMs ?? 200));
  };

  documents.onDidOpen((e) => schedule(e.document));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidSave((e) => schedule(e.document));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    for (const uri of published.get(e.document.uri) ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.delete(e.document.uri);
  });

  connection.onHover((params): Hover | null => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const project = projectOf(doc);
    const { hit } = locate(project, project.main, doc.offsetAt(params.position));
    if (!hit) return null;
    const md = hoverText(project, hit);
    if (!md) return null;
    return { contents: { kind: MarkupKind.Markdown, value: md }, range: spanRange(hit.span, new LineIndex(doc.getText())) };
  });

  connection.onDefinition((params): Location | null => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const project = projectOf(doc);
    const { hit } = locate(project, project.main, doc.offsetAt(params.position));
    if (!hit) return null;
    if (hit.type === 'import') {
      return hit.target ? { uri: toUri(hit.target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } : null;
    }
    const sym = hit.type === 'function' || hit.type === 'unit' ? undefined : hit.sym;
    if (!sym) return null;
    const text = project.files.get(sym.file)?.text ?? read(sym.file);
    return { uri: sym.file === project.main.path ? doc.uri : toUri(sym.file), range: spanRange(sym.nameSpan, text !== undefined ? new LineIndex(text) : undefined) };
  });

  connection.onCompletion((params): CompletionItem[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return complete(projectOf(doc), doc.getText(), doc.offsetAt(params.position), params.position);
  });

  connection.onDocumentSymbol((params): DocumentSymbol[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const project = projectOf(doc);
    return documentSymbols(project, new LineIndex(doc.getText()));
  });

  connection.onDocumentFormatting(async (params): Promise<TextEdit[] | null> => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const { formatText, EvgSyntaxError } = await import('../format/format.js');
    const text = doc.getText();
    try {
      const formatted = await formatText(text, { filepath: toPath(doc.uri) });
      if (formatted === text) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: formatted }];
    } catch (e) {
      if (e instanceof EvgSyntaxError) return null;
      throw e;
    }
  });

  documents.listen(connection);
  connection.listen();
  return { documents };
}

function serverVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// ------------------------------------------------------------------ hover

function symMarkdown(sym: Sym): string {
  const parts = ['```evg', sym.signature, '```'];
  const where = sym.owner ? ` of component \`${sym.owner.name.name}\`` : '';
  const unit = sym.unit ? ` · unit \`${sym.unit}\`` : '';
  parts.push(`*${KIND_LABEL[sym.kind]}*${where}${unit}`);
  if (sym.doc) parts.push('', sym.doc);
  return parts.join('\n');
}

function hoverText(project: Project, hit: Hit): string | undefined {
  switch (hit.type) {
    case 'definition':
      return symMarkdown(hit.sym);
    case 'reference':
    case 'member':
    case 'component':
    case 'argument':
      return hit.sym ? symMarkdown(hit.sym) : undefined;
    case 'function':
      return FUNCTIONS[hit.name] ? `*built-in function* ${FUNCTIONS[hit.name]}` : undefined;
    case 'unit':
      return describeUnit(hit.name);
    case 'import':
      return hit.target ? `imports \`${hit.target}\`` : undefined;
    default:
      void project;
      return undefined;
  }
}

// ------------------------------------------------------------------ document symbols

function documentSymbols(project: Project, index: LineIndex): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const f = project.main;
  const sym = (s: Sym, children?: DocumentSymbol[]): DocumentSymbol => ({
    name: s.name,
    detail: s.signature.replace(/^\S+\s+\S+?(?=[[( :=]|$)/, '').trim() || KIND_LABEL[s.kind],
    kind: SYMBOL_KIND[s.kind],
    range: index.range(s.span.start, Math.max(s.span.end, s.nameSpan.end)),
    selectionRange: index.range(s.nameSpan.start, s.nameSpan.end),
    ...(children ? { children } : {}),
  });
  for (const d of f.model.decls) {
    if (d.kind === 'import' || d.kind === 'recourse' || d.kind === 'treatment') continue;
    const s = d.kind === 'component' ? project.model.names.get(d.name.name) : undefined;
    if (d.kind === 'component') {
      const scope = project.components.get(d);
      const members = [...(scope?.names.values() ?? [])].filter((m) => m.file === f.path).map((m) => sym(m));
      out.push(sym(s && s.decl === d ? s : symFor(project, d) ?? s!, members));
    } else {
      const ds = symFor(project, d);
      if (ds) out.push(sym(ds));
    }
  }
  return out;
}

function symFor(project: Project, d: A.Decl): Sym | undefined {
  if (d.kind === 'import' || d.kind === 'recourse' || d.kind === 'treatment') return undefined;
  const s = project.model.names.get(d.name.name);
  if (s && s.decl === d) return s;
  // A duplicate (E0202) or shadowed name: describe the declaration itself.
  const { hit } = locate(project, project.main, d.name.span.start);
  return hit?.type === 'definition' ? hit.sym : undefined;
}

// ------------------------------------------------------------------ completion

const UNIT_NAMES = [...UNIT_TABLE.keys()].filter((u) => u !== 'var');

function unitItems(): CompletionItem[] {
  return UNIT_NAMES.map((u, i) => ({ label: u, kind: CompletionItemKind.Unit, detail: describeUnit(u), sortText: String(i).padStart(3, '0') }));
}

function symItem(s: Sym): CompletionItem {
  return {
    label: s.name, kind: COMPLETION_KIND[s.kind], detail: s.signature,
    ...(s.doc ? { documentation: { kind: MarkupKind.Markdown, value: s.doc } } : {}),
  };
}

/** Is the cursor in the parameter list of a component header (after `component X(`, before `{`)? */
function inComponentHeader(text: string, offset: number): boolean {
  const before = text.slice(0, offset);
  const at = before.search(/\bcomponent\s+[A-Za-z_]\w*\s*\((?![\s\S]*\bcomponent\b)[^{]*$/);
  if (at < 0) return false;
  let depth = 0;
  for (const ch of before.slice(at)) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
  }
  return depth > 0;
}

/** The instance whose argument list holds the cursor: `instance x = Comp(a = 1, |`. */
function instanceAt(text: string, offset: number): string | undefined {
  const before = text.slice(0, offset);
  const starts = [...before.matchAll(/\binstance\b/g)];
  const last = starts[starts.length - 1];
  if (!last) return undefined;
  const m = /^instance\s+[A-Za-z_]\w*\s*(?:\[[^\]]*\])?\s*=\s*([A-Za-z_]\w*)\s*\(([^]*)$/.exec(before.slice(last.index));
  if (!m) return undefined;
  let depth = 1;
  for (const ch of m[2]!) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (depth === 0) return undefined;
  }
  return depth === 1 ? m[1] : undefined;
}

export function complete(project: Project, text: string, offset: number, position: Position): CompletionItem[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  void position;

  // import stdlib.<modules>
  if (/^\s*import\s+stdlib\.\w*$/.test(prefix)) {
    let mods: string[] = [];
    try {
      mods = readdirSync(STDLIB_DIR).filter((f) => f.endsWith('.evg')).map((f) => f.slice(0, -4));
    } catch { /* no stdlib */ }
    return mods.map((m) => ({ label: m, kind: CompletionItemKind.Module, detail: `stdlib/${m}.evg` }));
  }

  // Members after `.`: `bess.`, `bess[b].`, `site.bess.`, `gens.` (table columns).
  const member = /((?:[A-Za-z_]\w*)(?:\s*\[[^\][]*\])?(?:\s*\.\s*[A-Za-z_]\w*(?:\s*\[[^\][]*\])?)*)\s*\.\s*[A-Za-z_]?\w*$/.exec(prefix);
  if (member && !/^\s*import\b/.test(prefix) && !/\d$/.test(member[1]!)) {
    const chain = member[1]!.split('.').map((p) => p.replace(/\[[^\]]*\]/g, '').trim());
    const chainStart = lineStart + member.index;
    const { scope } = locate(project, project.main, chainStart);
    let sym = scope.lookup(chain[0]!);
    for (const name of chain.slice(1)) sym = project.membersOf(sym).find((m) => m.name === name);
    if (sym?.kind === 'table') return tableColumns(project, sym).map((c) => ({ label: c, kind: CompletionItemKind.Field, detail: `column of table ${sym!.name}` }));
    return project.membersOf(sym).map(symItem);
  }

  // Units after a number (`5 M`, `0.2 $/`) or after `:` in a declaration.
  if (/(?:^|[^\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*(?:[A-Za-z$%][\w$.]*\s*\/\s*)*[A-Za-z$%]?\w*$/.test(prefix)) return unitItems();
  const declUnit = /^\s*(?:param|var|expr|cost|minimize|maximize)\s+[A-Za-z_]\w*\s*(?:\[[^\]]*\])?\s*:\s*([\w$%.^*/() ]*)$/.exec(prefix);
  const paramUnit = inComponentHeader(text, offset) ? /(?:^|[(,])\s*[A-Za-z_]\w*\s*(?:\[[^\]]*\])?\s*:\s*([\w$%.^*/() ]*)$/.exec(prefix) : null;
  const unitPart = declUnit?.[1] ?? paramUnit?.[1];
  if (unitPart !== undefined && !/\b(?:in|binary|integer|continuous|default)\b/.test(unitPart)) {
    const items = unitItems();
    if (paramUnit) items.unshift({ label: 'set', kind: CompletionItemKind.Keyword, detail: 'a set parameter: `T : set` or `L : set(2)`' });
    return items;
  }

  const items: CompletionItem[] = [];
  // Argument names of an instance.
  const comp = instanceAt(text, offset);
  if (comp && /(?:^|[(,])\s*[A-Za-z_]?\w*$/.test(prefix.length ? prefix : text.slice(0, offset))) {
    const decl = project.component(comp);
    const scope = decl ? project.components.get(decl) : undefined;
    for (const p of scope?.names.values() ?? []) {
      if (p.kind !== 'cparam') continue;
      items.push({ label: p.name, kind: CompletionItemKind.Property, detail: p.signature, insertText: `${p.name} = `, sortText: `0${p.name}`,
        ...(p.doc ? { documentation: p.doc } : {}) });
    }
  }
  const { scope } = locate(project, project.main, offset);
  for (const s of scope.all()) items.push({ ...symItem(s), sortText: `1${s.name}` });
  for (const [f, docText] of Object.entries(FUNCTIONS)) items.push({ label: f, kind: CompletionItemKind.Function, detail: docText.replace(/`/g, ''), sortText: `2${f}` });
  for (const k of KEYWORDS) items.push({ label: k, kind: CompletionItemKind.Keyword, sortText: `3${k}` });
  return items;
}

/** The columns of a CSV or JSON table, read from its header. */
function tableColumns(project: Project, sym: Sym): string[] {
  const d = sym.decl as A.TableDecl | undefined;
  if (!d || d.source.kind !== 'call') return [];
  const pathArg = d.source.args[0];
  if (!pathArg || pathArg.kind !== 'str') return [];
  const file = resolvePath(dirname(sym.file), pathArg.value);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (d.source.callee.name === 'json') {
    try {
      const v = JSON.parse(text) as unknown;
      if (Array.isArray(v)) return [...new Set(v.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r as object) : [])))];
      return v && typeof v === 'object' ? Object.keys(v) : [];
    } catch {
      return [];
    }
  }
  const delim = d.source.named.find((n) => n.name.name === 'delimiter')?.value;
  const sep = delim?.kind === 'str' ? delim.value : ',';
  const header = text.replace(/^\ufeff/, '').split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#'));
  void project;
  return header ? header.split(sep).map((c) => c.trim().replace(/^"|"$/g, '')) : [];
}

// ------------------------------------------------------------------ transports

/** A server on a pair of streams (tests, embedding). `exit` ends the connection, not the process. */
export function startStreamServer(input: Readable, output: Writable, opts: ServerOptions = {}): { connection: Connection; closed: Promise<number> } {
  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((r) => { resolveClosed = r; });
  const watchDog: WatchDog = {
    shutdownReceived: false,
    initialize: () => {},
    exit: (code) => {
      connection.dispose();
      resolveClosed(code);
    },
  };
  const connection = createConnection(
    (logger) => createProtocolConnection(new StreamMessageReader(input), new StreamMessageWriter(output), logger),
    watchDog,
  );
  startServer(connection, opts);
  connection.onExit(() => resolveClosed(watchDog.shutdownReceived ? 0 : 1));
  return { connection, closed };
}

/** `evg lsp`: the server on standard input and output; the process ends with the session. */
export async function runStdioServer(): Promise<void> {
  // Anything printed would corrupt the protocol on stdout.
  const toStderr = (...a: unknown[]) => process.stderr.write(`${a.map(String).join(' ')}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;
  console.debug = toStderr;
  const { closed } = startStreamServer(process.stdin, process.stdout);
  process.stdin.on('end', () => process.exit(0));
  const code = await closed;
  process.exit(code);
}
