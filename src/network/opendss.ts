// The OpenDSS importer: `readOpenDss("feeder/Master.dss")` runs the script the way OpenDSS reads
// it (Clear, New/Edit/~, Redirect/Compile, Set, Open/Close, Enable/Disable, BusCoords, and the
// `Class.name.property=value` form) and turns the circuit into `NetworkData`
// (src/network/model.ts). It never throws on bad input: every problem is a diagnostic at the
// file's own line:col, and everything in the script it does not model is counted in
// `network.unsupported` rather than dropped silently.
//
// The language's token rules are in opendss-lexer.ts, the property names in opendss-props.ts,
// the element states and the effect of each property in opendss-elements.ts, and the assembly of
// NetworkData (buses, phases, impedances in ohms, loads per phase, voltage bases) in
// opendss-build.ts; the conventions chosen there are documented at the top of that file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { NetworkData } from './model.js';
import { Diags, lexLine, numberArray, numberValue, splitLines, type OpenDssDiagnostic, type Param, type Tok } from './opendss-lexer.js';
import { CLASSES, PROPS, resolveCommand, resolveName, type ModelledClass, type PropTable } from './opendss-props.js';
import {
  applyProperty,
  likeCopy,
  newCapacitor,
  newGen,
  newLine,
  newLineCode,
  newLoad,
  newReactor,
  newRegControl,
  newTransformer,
  newVsource,
  type ApplyContext,
  type ElementState,
  type LineCodeState,
  type TransformerState,
} from './opendss-elements.js';
import { buildNetwork } from './opendss-build.js';

export type { OpenDssDiagnostic } from './opendss-lexer.js';

export interface OpenDssResult {
  readonly network: NetworkData;
  readonly diagnostics: OpenDssDiagnostic[];
}

/** Reads an OpenDSS script (and the files it redirects to) into NetworkData. Never throws on bad input. */
export function readOpenDss(path: string): OpenDssResult {
  const s = new Session();
  try {
    s.runFile(path, undefined);
  } catch (e) {
    // A bug here must not take the caller down; report it against the root file.
    s.diags.error({ file: path, line: 1, col: 1 }, `internal error while reading the OpenDSS script: ${(e as Error).message}`);
  }
  const network = buildNetwork(s.snapshot(), s.diags);
  return { network, diagnostics: s.diags.list };
}

/** An object of the script: a modelled element (with its state) or one of a class not modelled. */
export interface DssObject {
  /** Canonical class name (`Line`, `Transformer`, `EnergyMeter`). */
  readonly cls: string;
  readonly key: string;
  /** The name as first written. */
  readonly name: string;
  state?: ElementState;
  /** The token naming it in its `New` command. */
  readonly at: Tok;
  readonly seq: number;
  /** Opened by the Open command (all conductors of a terminal). */
  open: boolean;
}

export interface Unsupported {
  count: number;
  example: string;
  /** Where the example is (the first one met). */
  readonly at?: { readonly file: string; readonly line: number };
  readonly names: Set<string>;
}

/** What the build step needs from a finished session. */
export interface SessionSnapshot {
  readonly circuitName?: string;
  readonly source?: DssObject;
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, DssObject>>;
  readonly voltageBases: readonly number[];
  readonly defaultBaseFrequency: number;
  readonly coords: ReadonlyMap<string, { x: number; y: number; at: Tok }>;
  readonly unsupported: Map<string, Unsupported>;
  readonly rootFile: string;
}

const MODELLED: Record<string, ModelledClass> = {
  vsource: 'vsource', line: 'line', linecode: 'linecode', load: 'load', transformer: 'transformer',
  xfmrcode: 'xfmrcode', regcontrol: 'regcontrol', capacitor: 'capacitor', reactor: 'reactor',
  generator: 'generator', pvsystem: 'pvsystem', storage: 'storage',
};

/** Commands that change nothing the importer models and are ignored without being listed. */
const QUIET = new Set(['calcvoltagebases', 'makebuslist', 'reprocessbuses', 'buildy', 'init', 'cleanup']);

class Session implements ApplyContext {
  readonly diags = new Diags();
  baseFrequency = 60;
  private circuitName?: string;
  private source?: DssObject;
  private objects = new Map<string, Map<string, DssObject>>();
  private active?: DssObject;
  private voltageBases: number[] = [];
  private coords = new Map<string, { x: number; y: number; at: Tok }>();
  private unsupported = new Map<string, Unsupported>();
  private seq = 0;
  private readonly stack: string[] = [];
  private rootFile = '';
  private dirCache = new Map<string, string[]>();

  // ---------------------------------------------------------------------------------- files

  runFile(path: string, from: Tok | undefined): void {
    if (from === undefined) this.rootFile = path;
    const at = from ?? { file: path, line: 1, col: 1 };
    const found = this.findFile(path);
    if (found === undefined) {
      this.diags.error(at, `cannot find the file '${from ? from.text : path}'${from ? ` (looked for ${path})` : ''}`);
      return;
    }
    const full = resolve(found);
    if (this.stack.includes(full)) {
      this.diags.error(at, `'${from ? from.text : path}' redirects back to itself (${this.stack.map((f) => basename(f)).join(' -> ')} -> ${basename(full)})`);
      return;
    }
    if (this.stack.length >= 64) {
      this.diags.error(at, 'Redirect/Compile nested more than 64 files deep');
      return;
    }
    let text: string;
    try {
      text = readFileSync(found, 'latin1');
    } catch (e) {
      this.diags.error(at, `cannot read '${found}': ${(e as Error).message}`);
      return;
    }
    this.stack.push(full);
    try {
      this.runText(text, found);
    } finally {
      this.stack.pop();
    }
  }

  /** The file as named, else a case-insensitive match (scripts written on Windows), else with `.dss` added. */
  private findFile(path: string): string | undefined {
    const p = path.replace(/\\/g, '/');
    for (const c of [p, p + '.dss']) {
      if (isFile(c)) return c;
      const ci = this.caseInsensitive(c);
      if (ci !== undefined) return ci;
    }
    return undefined;
  }

  private caseInsensitive(p: string): string | undefined {
    const abs = isAbsolute(p) ? p : resolve(p);
    const parts = abs.split('/');
    let cur = parts[0] === '' ? '/' : parts[0]!;
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        cur = dirname(cur);
        continue;
      }
      const exact = join(cur, part);
      if (existsSync(exact)) {
        cur = exact;
        continue;
      }
      let entries = this.dirCache.get(cur);
      if (entries === undefined) {
        try {
          entries = readdirSync(cur);
        } catch {
          return undefined;
        }
        this.dirCache.set(cur, entries);
      }
      const m = entries.find((e) => e.toLowerCase() === part.toLowerCase());
      if (m === undefined) return undefined;
      cur = join(cur, m);
    }
    return isFile(cur) ? cur : undefined;
  }

  private runText(text: string, file: string): void {
    const lines = splitLines(text);
    let inBlock = false;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const trimmed = raw.trimStart();
      if (!inBlock && trimmed.startsWith('/*')) inBlock = true;
      if (inBlock) {
        if (raw.includes('*/')) inBlock = false;
        continue;
      }
      const params = lexLine(raw, file, i + 1, this.diags);
      if (params.length > 0) this.command(params, file, raw);
    }
  }

  // ---------------------------------------------------------------------------------- commands

  private command(params: Param[], file: string, text: string): void {
    let first = params[0]!;
    // `~basekv=4.16`, with no blank after the continuation mark.
    const glued = first.name ?? first.value;
    if (glued.text.length > 1 && glued.text.startsWith('~') && !glued.quoted) {
      const shift = (t: Tok): Tok => ({ ...t, text: t.text.slice(1), col: t.col + 1, innerCol: t.innerCol + 1 });
      const rest = first.name ? { name: shift(first.name), value: first.value } : { value: shift(first.value) };
      params = [{ value: { ...glued, text: '~' } }, rest, ...params.slice(1)];
      first = params[0]!;
    }
    if (first.name !== undefined) {
      this.propertyAssignment(first.name, params);
      return;
    }
    const word = first.value.text;
    const r = first.value.quoted ? undefined : resolveCommand(word);
    if (r === undefined) {
      this.diags.error(first.value, `unknown command '${word}'`);
      return;
    }
    const rest = params.slice(1);
    switch (r.name) {
      case 'new': return this.newCommand(first.value, rest);
      case 'edit': case 'select': {
        const obj = this.objectSpec(first.value, rest[0], true);
        if (obj === undefined) return;
        this.active = obj;
        if (r.name === 'edit') this.edit(obj, rest.slice(1));
        return;
      }
      case 'more': case 'm': case '~':
        if (this.active === undefined) {
          this.diags.error(first.value, `'${word}' continues the active object, but no object is active yet`);
          return;
        }
        this.edit(this.active, rest);
        return;
      case 'redirect': case 'compile': {
        const p = rest[0];
        if (p === undefined || p.value.text.trim() === '') {
          this.diags.error(first.value, `${r.name} needs a file name`);
          return;
        }
        this.runFile(relativeTo(file, p.value.text), p.value);
        return;
      }
      case 'set': return this.set(rest);
      case 'clear': return this.clear();
      case 'open': case 'close': return this.openClose(r.name, first.value, rest);
      case 'enable': case 'disable': {
        const obj = this.objectSpec(first.value, rest[0], true);
        if (obj?.state && 'enabled' in obj.state) obj.state.enabled = r.name === 'enable';
        return;
      }
      case 'buscoords': {
        const p = rest[0];
        if (p === undefined) {
          this.diags.error(first.value, 'BusCoords needs a file name');
          return;
        }
        this.busCoords(relativeTo(file, p.value.text), p.value);
        return;
      }
      default:
        if (QUIET.has(r.name)) return;
        this.noteUnsupported(commandName(r.name), text.trim().replace(/\s+/g, ' ').slice(0, 60), first.value);
        return;
    }
  }

  /** `Class.name.property=value ...`: edit the object, starting with that property. */
  private propertyAssignment(nameTok: Tok, params: Param[]): void {
    const text = nameTok.text.trim();
    const firstDot = text.indexOf('.');
    const lastDot = text.lastIndexOf('.');
    let obj: DssObject | undefined;
    let prop: string;
    if (firstDot < 0) {
      obj = this.active;
      prop = text;
      if (obj === undefined) {
        this.diags.error(nameTok, `'${text}=' sets a property of the active object, but no object is active yet`);
        return;
      }
    } else {
      const objText = firstDot === lastDot && this.active ? `${this.active.cls}.${text.slice(0, lastDot)}` : text.slice(0, lastDot);
      prop = text.slice(lastDot + 1);
      obj = this.lookup(objText, nameTok, true);
      if (obj === undefined) return;
    }
    this.active = obj;
    const propTok: Tok = { ...nameTok, text: prop, col: nameTok.col + (firstDot < 0 ? 0 : lastDot + 1), innerCol: nameTok.innerCol + (firstDot < 0 ? 0 : lastDot + 1) };
    this.edit(obj, [{ name: propTok, value: params[0]!.value }, ...params.slice(1)]);
  }

  private newCommand(cmd: Tok, rest: Param[]): void {
    const spec = rest[0];
    if (spec === undefined || (spec.name !== undefined && spec.name.text.toLowerCase() !== 'object')) {
      this.diags.error(spec?.name ?? cmd, 'New needs the object to create, as Class.name (e.g. New Line.L1 ...)');
      return;
    }
    const t = spec.value;
    const text = t.text.trim();
    const dot = text.indexOf('.');
    if (dot <= 0 || dot === text.length - 1) {
      this.diags.error(t, `expected Class.name after New, found '${text}'`);
      return;
    }
    const clsLower = text.slice(0, dot).toLowerCase();
    const name = text.slice(dot + 1);
    const props = rest.slice(1);
    if (clsLower === 'circuit') {
      if (this.source !== undefined) {
        this.diags.warning(t, `a second circuit '${name}': the earlier one (${this.circuitName}) and everything defined in it are discarded`);
        this.clearObjects();
      }
      this.circuitName = name;
      const src: DssObject = { cls: 'Vsource', key: 'source', name: 'source', state: newVsource(), at: t, seq: this.seq++, open: false };
      this.classMap('vsource').set('source', src);
      this.source = src;
      this.active = src;
      this.edit(src, props);
      return;
    }
    const cls = CLASSES.get(clsLower);
    if (cls === undefined) {
      this.diags.error({ file: t.file, line: t.line, col: t.innerCol }, `unknown OpenDSS class '${text.slice(0, dot)}'`);
      return;
    }
    if (this.source === undefined && clsLower !== 'linecode' && clsLower !== 'xfmrcode' && MODELLED[clsLower] !== undefined)
      this.diags.warning(t, `${cls}.${name} is defined before any circuit (New Circuit.name); OpenDSS would refuse it`);
    const map = this.classMap(clsLower);
    const key = name.toLowerCase();
    let obj = map.get(key);
    if (obj !== undefined) {
      this.diags.warning(t, `duplicate definition of ${cls}.${name}: OpenDSS edits the existing element (first defined at ${basename(obj.at.file)}:${obj.at.line})`);
    } else {
      obj = { cls, key, name, state: this.newState(clsLower), at: t, seq: this.seq++, open: false };
      map.set(key, obj);
      if (obj.state === undefined) this.noteUnsupported(cls, name, t);
      else if (clsLower === 'vsource') this.noteUnsupported('Vsource (a source other than the circuit\'s)', name, t);
    }
    this.active = obj;
    this.edit(obj, props);
  }

  private newState(clsLower: string): ElementState | undefined {
    switch (MODELLED[clsLower]) {
      case 'vsource': return newVsource();
      case 'line': return newLine(this.baseFrequency);
      case 'linecode': return newLineCode(this.baseFrequency);
      case 'load': return newLoad();
      case 'transformer': return newTransformer('transformer');
      case 'xfmrcode': return newTransformer('xfmrcode');
      case 'regcontrol': return newRegControl();
      case 'capacitor': return newCapacitor();
      case 'reactor': return newReactor(this.baseFrequency);
      case 'generator': return newGen('generator');
      case 'pvsystem': return newGen('pvsystem');
      case 'storage': return newGen('storage');
      default: return undefined;
    }
  }

  /** The object named by a command's argument (`object=Class.name` or positional). */
  private objectSpec(cmd: Tok, p: Param | undefined, mustExist: boolean): DssObject | undefined {
    if (p === undefined) {
      this.diags.error(cmd, `'${cmd.text}' needs an object, as Class.name`);
      return undefined;
    }
    return this.lookup(p.value.text.trim(), p.value, mustExist);
  }

  private lookup(text: string, at: Tok, report: boolean): DssObject | undefined {
    const dot = text.indexOf('.');
    if (dot <= 0) {
      if (report) this.diags.error(at, `expected Class.name, found '${text}'`);
      return undefined;
    }
    const clsLower = text.slice(0, dot).toLowerCase();
    const key = text.slice(dot + 1).toLowerCase();
    if (clsLower === 'circuit') {
      if (this.source === undefined && report) this.diags.error(at, 'no circuit is defined yet (New Circuit.name)');
      return this.source;
    }
    if (!CLASSES.has(clsLower)) {
      if (report) this.diags.error(at, `unknown OpenDSS class '${text.slice(0, dot)}'`);
      return undefined;
    }
    if (clsLower === 'vsource' && key === 'source') {
      if (this.source === undefined && report) this.diags.error(at, 'no circuit is defined yet (New Circuit.name creates Vsource.source)');
      return this.source;
    }
    const obj = this.objects.get(clsLower)?.get(key);
    if (obj === undefined && report) this.diags.error(at, `${CLASSES.get(clsLower)}.${text.slice(dot + 1)} is not defined`);
    return obj;
  }

  private classMap(clsLower: string): Map<string, DssObject> {
    let m = this.objects.get(clsLower);
    if (m === undefined) {
      m = new Map();
      this.objects.set(clsLower, m);
    }
    return m;
  }

  /** Applies properties to an object, named or positional, in order. */
  private edit(obj: DssObject, params: Param[]): void {
    const state = obj.state;
    if (state === undefined) return; // a class the importer does not model: its properties are not read
    const table = PROPS[state.kind];
    let pointer = -1;
    for (const p of params) {
      let index: number;
      if (p.name !== undefined) {
        const word = p.name.text.trim();
        const r = table.strict ? resolveName(word, table.names, table.index) : exactName(word, table);
        if (r === undefined) {
          if (table.strict) this.diags.error(p.name, `unknown property '${word}' of ${obj.cls}`);
          continue;
        }
        if (r.ambiguous) this.diags.warning(p.name, `'${word}' abbreviates several properties of ${obj.cls} (${r.ambiguous.join(', ')}); OpenDSS takes ${r.name}`);
        index = r.index;
      } else {
        index = pointer + 1;
        if (index >= table.positional) {
          if (table.strict || index >= table.names.length) this.diags.error(p.value, `too many values for ${obj.cls}.${obj.name}: '${p.value.text}' has no property to go to (name it, as property=value)`);
          else this.diags.warning(p.value, `a value by position for ${obj.cls}.${obj.name} past its ${table.positional} leading properties is ambiguous between OpenDSS versions; '${p.value.text}' is ignored (name it)`);
          pointer = index;
          continue;
        }
      }
      pointer = index;
      const prop = table.names[index]!;
      const what = `${obj.cls}.${obj.name}.${prop}`;
      if (prop === 'like') {
        const other = this.objects.get(obj.cls.toLowerCase())?.get(p.value.text.trim().toLowerCase());
        if (other?.state === undefined) {
          this.diags.error(p.value, `${what}: ${obj.cls}.${p.value.text.trim()} is not defined`);
          continue;
        }
        // OpenDSS MakeLike: copy everything but the connections, then go on with the next values.
        obj.state = likeCopy(other.state);
        continue;
      }
      applyProperty(obj.state!, prop, p.value, what, this);
    }
  }

  private set(params: Param[]): void {
    for (const p of params) {
      if (p.name === undefined) continue;
      const opt = p.name.text.trim().toLowerCase();
      if ('voltagebases'.startsWith(opt) && opt.length >= 8) {
        const a = numberArray(p.value, this.diags, 'voltagebases');
        if (a !== undefined) this.voltageBases = a.filter((x) => x > 0);
      } else if ('defaultbasefrequency'.startsWith(opt) && opt.length >= 12) {
        const n = numberValue(p.value, this.diags, 'defaultbasefrequency');
        if (n !== undefined) this.baseFrequency = n;
      }
      // Other options (solution mode, tolerances, plotting, ...) do not describe the network.
    }
  }

  private openClose(cmd: 'open' | 'close', at: Tok, rest: Param[]): void {
    const obj = this.objectSpec(at, rest[0], true);
    if (obj === undefined) return;
    const conductor = rest.find((p, i) => i >= 1 && (p.name?.text.toLowerCase() === 'conductor' || (p.name === undefined && i === 2)));
    if (conductor !== undefined && Number(conductor.value.text) > 0) {
      this.diags.warning(conductor.value, `${cmd} of a single conductor of ${obj.cls}.${obj.name} is not modelled; the branch stays ${obj.open ? 'open' : 'closed'}`);
      return;
    }
    obj.open = cmd === 'open';
  }

  private busCoords(path: string, at: Tok): void {
    const found = this.findFile(path);
    if (found === undefined) {
      this.diags.error(at, `cannot find the bus coordinates file '${at.text}'`);
      return;
    }
    let text: string;
    try {
      text = readFileSync(found, 'latin1');
    } catch (e) {
      this.diags.error(at, `cannot read '${found}': ${(e as Error).message}`);
      return;
    }
    const lines = splitLines(text);
    for (let i = 0; i < lines.length; i++) {
      const params = lexLine(lines[i]!, found, i + 1, this.diags);
      if (params.length === 0) continue;
      const vals = params.map((p) => p.value);
      if (vals.length < 3) {
        this.diags.warning(vals[0]!, 'a bus coordinate line needs a bus name, x and y');
        continue;
      }
      const x = numberValue(vals[1]!, this.diags, 'the x coordinate');
      const y = numberValue(vals[2]!, this.diags, 'the y coordinate');
      if (x === undefined || y === undefined) continue;
      this.coords.set(vals[0]!.text.trim().toLowerCase(), { x, y, at: vals[0]! });
    }
  }

  private clearObjects(): void {
    this.objects = new Map();
    this.source = undefined;
    this.active = undefined;
  }

  private clear(): void {
    this.clearObjects();
    this.circuitName = undefined;
    this.voltageBases = [];
    this.coords = new Map();
    this.unsupported = new Map();
    this.baseFrequency = 60;
  }

  private noteUnsupported(element: string, example: string, at?: { file: string; line: number }): void {
    let u = this.unsupported.get(element);
    if (u === undefined) {
      u = { count: 0, example, ...(at ? { at: { file: at.file, line: at.line } } : {}), names: new Set() };
      this.unsupported.set(element, u);
    }
    const k = example.toLowerCase();
    if (!u.names.has(k)) {
      u.names.add(k);
      u.count++;
    }
  }

  // ---------------------------------------------------------------------------------- ApplyContext

  lineCode(name: string): LineCodeState | undefined {
    const s = this.objects.get('linecode')?.get(name.toLowerCase())?.state;
    return s?.kind === 'linecode' ? s : undefined;
  }

  xfmrCode(name: string): TransformerState | undefined {
    const s = this.objects.get('xfmrcode')?.get(name.toLowerCase())?.state;
    return s?.kind === 'xfmrcode' ? s : undefined;
  }

  snapshot(): SessionSnapshot {
    return {
      circuitName: this.circuitName,
      source: this.source,
      objects: this.objects,
      voltageBases: this.voltageBases,
      defaultBaseFrequency: this.baseFrequency,
      coords: this.coords,
      unsupported: this.unsupported,
      rootFile: this.rootFile,
    };
  }
}

function exactName(word: string, t: PropTable): { name: string; index: number; ambiguous?: string[] } | undefined {
  const i = t.index.get(word.toLowerCase());
  return i === undefined ? undefined : { name: t.names[i]!, index: i };
}

/** A path written in a script, relative to that script's directory (`\\` read as `/`). */
function relativeTo(script: string, written: string): string {
  const p = written.trim().replace(/\\/g, '/');
  return isAbsolute(p) ? p : join(dirname(script), p);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The usual spelling of a command for the unsupported list. */
function commandName(c: string): string {
  const names: Record<string, string> = {
    solve: 'Solve', show: 'Show', plot: 'Plot', export: 'Export', interpolate: 'Interpolate', summary: 'Summary',
    help: 'Help', dump: 'Dump', save: 'Save', setkvbase: 'SetkVBase', allocateloads: 'AllocateLoads', reset: 'Reset',
    sample: 'Sample', cd: 'CD', get: 'Get', totals: 'Totals', visualize: 'Visualize',
  };
  return `command ${names[c] ?? c}`;
}
