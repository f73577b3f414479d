// Writing a compiled bundle (`evg compile FILE -o OUT.evgc`): the sparse model with its families,
// scaling, Hessian and lowering records, the model as written (SourceModel), and the SHA-256 of
// every file the compilation read. See format.ts and docs/bundle.md for the layout.
//
// Cost: the value trees are small (families, sets, records; the SourceModel's nonlinear rows);
// the large arrays (matrix, bounds, costs, scaling, row keys) are written from their own memory
// without a copy. The payload is hashed as it is written, so writing is one pass over the bytes.
import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { SourceTexts } from '../diagnostics/diagnostic.js';
import type { Model } from '../ir/model.js';
import type { SourceModel } from '../ir/source.js';
import type { LoweringOptions } from '../lower/lower.js';
import {
  ArrayPool, FORMAT_VERSION, H_HEADER_SIZE, H_PAYLOAD_SIZE, H_SHA256, H_VERSION, HEADER_SIZE, MAGIC,
  SECTION_ARRAYS, SECTION_HEADER, SECTION_INFO, SECTION_MODEL, SECTION_SOURCE, TreeWriter,
} from './format.js';

/** One file the compilation read (model, import, data): its path and the SHA-256 of its text. */
export interface SourceHash {
  readonly path: string;
  /** Lower-case hex SHA-256 of the file's text, UTF-8 encoded (as evg read it). */
  readonly sha256: string;
  readonly bytes: number;
}

/** The INFO section. */
export interface BundleInfo {
  /** Version of evg that wrote the bundle. */
  readonly evg: string;
  /** When it was written (ISO 8601). */
  readonly created: string;
  /** Absolute path of the main model file. */
  readonly main: string;
  readonly sources: readonly SourceHash[];
  /** How nonlinear terms were lowered (the options of evg compile). */
  readonly lowering?: Partial<LoweringOptions>;
}

/** What a bundle is made from: a Compilation (driver.ts) provides all of it. */
export interface BundleInput {
  readonly main: string;
  readonly sources: SourceTexts;
  readonly elaboration?: { readonly model: Model };
  readonly source?: () => SourceModel;
}

/** Hex SHA-256 of a text as UTF-8. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Every file of the compilation with its text, main file first. */
export function sourceEntries(sources: SourceTexts): [string, string][] {
  return [...sources.entries()];
}

export function sourceHashes(input: BundleInput): SourceHash[] {
  const entries = sourceEntries(input.sources);
  // The main file first, then the others in reading order.
  entries.sort((a, b) => (a[0] === input.main ? -1 : b[0] === input.main ? 1 : 0));
  return entries.map(([path, text]) => ({ path, sha256: sha256Text(text), bytes: Buffer.byteLength(text, 'utf8') }));
}

/** The bundle as chunks of bytes: header first; `size` is the total. */
export interface EncodedBundle {
  readonly chunks: Uint8Array[];
  readonly size: number;
}

function section(tag: string, bodySize: number): Uint8Array {
  const h = new Uint8Array(SECTION_HEADER);
  for (let i = 0; i < 4; i++) h[i] = tag.charCodeAt(i);
  const dv = new DataView(h.buffer);
  dv.setUint32(8, bodySize % 2 ** 32, true);
  dv.setUint32(12, Math.floor(bodySize / 2 ** 32), true);
  return h;
}

const padding = (n: number) => new Uint8Array((8 - (n % 8)) % 8);

/** Encodes a compiled model as a bundle (nothing is copied from the large arrays). */
export function encodeBundle(input: BundleInput, meta: { evg: string; lowering?: Partial<LoweringOptions>; created?: Date }): EncodedBundle {
  const model = input.elaboration?.model;
  if (!model || !input.source) throw new Error('internal: a bundle needs a built model');
  const pool = new ArrayPool();
  const w = new TreeWriter(pool);
  const info: BundleInfo = {
    evg: meta.evg,
    created: (meta.created ?? new Date()).toISOString(),
    main: input.main,
    sources: sourceHashes(input),
    ...(meta.lowering ? { lowering: meta.lowering } : {}),
  };
  w.value(info);
  const infoBytes = w.take();
  w.value(model);
  const modelBytes = w.take();
  w.value(input.source());
  const sourceBytes = w.take();

  const payload: Uint8Array[] = [];
  for (const [tag, body] of [[SECTION_INFO, infoBytes], [SECTION_MODEL, modelBytes], [SECTION_SOURCE, sourceBytes]] as const) {
    payload.push(section(tag, body.length), body, padding(body.length));
  }
  payload.push(section(SECTION_ARRAYS, pool.size), ...pool.chunks);

  const hash = createHash('sha256');
  let payloadSize = 0;
  for (const c of payload) { hash.update(c); payloadSize += c.length; }
  const header = new Uint8Array(HEADER_SIZE);
  header.set(MAGIC, 0);
  const dv = new DataView(header.buffer);
  dv.setUint32(H_VERSION, FORMAT_VERSION, true);
  dv.setUint32(H_HEADER_SIZE, HEADER_SIZE, true);
  dv.setUint32(H_PAYLOAD_SIZE, payloadSize % 2 ** 32, true);
  dv.setUint32(H_PAYLOAD_SIZE + 4, Math.floor(payloadSize / 2 ** 32), true);
  header.set(hash.digest(), H_SHA256);
  return { chunks: [header, ...payload], size: HEADER_SIZE + payloadSize };
}

/**
 * Writes a bundle to `path`: into a temporary file beside it first, renamed when complete, so
 * that an interrupted write never leaves a bundle that looks whole. Returns the size in bytes.
 */
export function writeBundle(path: string, input: BundleInput, meta: { evg: string; lowering?: Partial<LoweringOptions> }): number {
  const enc = encodeBundle(input, meta);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    // Small chunks (padding, section headers, small arrays) are gathered; large ones written as they are.
    const buf = new Uint8Array(1 << 20);
    let n = 0;
    const flush = () => { let o = 0; while (o < n) o += writeSync(fd, buf, o, n - o); n = 0; };
    for (const c of enc.chunks) {
      if (c.length >= buf.length / 2) {
        flush();
        let o = 0;
        while (o < c.length) o += writeSync(fd, c, o, c.length - o);
        continue;
      }
      if (c.length > buf.length - n) flush();
      buf.set(c, n);
      n += c.length;
    }
    flush();
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw e;
  }
  return enc.size;
}
