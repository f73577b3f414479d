// Reading a compiled bundle (`evg run FILE.evgc`). The checks come in an order where each one can
// trust what the previous ones established:
//   1. the magic bytes (E0710: not a bundle),
//   2. the format version (E0711: written by an older or a newer evg),
//   3. the sizes in the header against the file's size (E0712: truncated),
//   4. the SHA-256 of the payload (E0713: corrupted), then the sections' structure (E0713),
//   5. the SHA-256 of every source file that still exists at its path (E0714: stale sources).
// Only then is the model decoded; the large arrays are used in place, as views of the file's
// bytes (copied only on a big-endian machine, or when the buffer is not 8-byte aligned).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Model } from '../ir/model.js';
import type { SourceModel } from '../ir/source.js';
import {
  BundleError, FORMAT_VERSION, H_HEADER_SIZE, H_PAYLOAD_SIZE, H_RESERVED, H_SHA256, H_VERSION, HEADER_SIZE, MAGIC,
  SECTION_ARRAYS, SECTION_HEADER, SECTION_INFO, SECTION_MODEL, SECTION_SOURCE, TreeReader,
} from './format.js';
import { sha256Text, type BundleInfo } from './write.js';

/** A bundle rebuilt as what the reports read of a compilation (report/results.ts ModelView). */
export interface LoadedBundle {
  readonly info: BundleInfo;
  readonly elaboration: { readonly model: Model };
  readonly source: () => SourceModel;
  readonly times: Record<string, number>;
  readonly main: string;
  /** Size of the bundle file in bytes. */
  readonly bytes: number;
}

export interface ReadOptions {
  /** Compare the hashes of the source files that still exist (default true). */
  readonly checkSources?: boolean;
  /** How paths are shown in messages. */
  readonly displayPath?: (p: string) => string;
}

const RECOMPILE = 'compile the model again: evg compile MODEL.evg -o OUT.evgc';

/** Reads and checks a bundle file; throws BundleError with the code of what is wrong. */
export function readBundle(path: string, opts: ReadOptions = {}): LoadedBundle {
  const t0 = performance.now();
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BundleError('E0101', `cannot read \`${(opts.displayPath ?? ((p) => p))(path)}\`: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  const b = decodeBundle(buf, path, opts);
  return { ...b, times: { read: performance.now() - t0 } };
}

/** Checks and decodes the bytes of a bundle (`name` is used in messages). */
export function decodeBundle(buf: Uint8Array, name: string, opts: ReadOptions = {}): LoadedBundle {
  const show = opts.displayPath ?? ((p: string) => p);
  const file = show(name);
  // 1. magic
  const head = Math.min(buf.length, MAGIC.length);
  for (let i = 0; i < head; i++) {
    if (buf[i] !== MAGIC[i]) {
      throw new BundleError('E0710', `\`${file}\` is not a compiled evg model (.evgc): it does not start with the bundle's magic bytes`,
        /^\s*(\\|\*|NAME|ROWS|min|max)/i.test(Buffer.from(buf.subarray(0, 64)).toString('latin1'))
          ? 'it looks like an LP or MPS file: name it FILE.lp or FILE.mps and evg run solves it as such'
          : 'a bundle is written by evg compile MODEL.evg -o OUT.evgc');
    }
  }
  const cut = (what: string) => new BundleError('E0712', `\`${file}\` is truncated: ${what}`, `the file was cut short (an interrupted copy or download?): copy it again, or ${RECOMPILE}`);
  if (buf.length < HEADER_SIZE) throw cut(`it has ${buf.length} bytes, fewer than the ${HEADER_SIZE} of the header alone`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // 2. version
  const version = dv.getUint32(H_VERSION, true);
  if (version !== FORMAT_VERSION) {
    throw version < FORMAT_VERSION
      ? new BundleError('E0711', `\`${file}\` was written by an older evg (bundle format version ${version}); this evg reads version ${FORMAT_VERSION}`, RECOMPILE)
      : new BundleError('E0711', `\`${file}\` was written by a newer evg (bundle format version ${version}); this evg reads version ${FORMAT_VERSION}`, `update evg, or ${RECOMPILE} with this one`);
  }
  // 3. sizes
  const headerSize = dv.getUint32(H_HEADER_SIZE, true);
  const payloadSize = dv.getUint32(H_PAYLOAD_SIZE, true) + dv.getUint32(H_PAYLOAD_SIZE + 4, true) * 2 ** 32;
  const corrupt = (what: string) => new BundleError('E0713', `\`${file}\` is corrupted: ${what}`, `the file was changed after evg wrote it: copy it again, or ${RECOMPILE}`);
  if (headerSize !== HEADER_SIZE) throw corrupt(`its header says the header has ${headerSize} bytes, not ${HEADER_SIZE}`);
  for (let i = H_RESERVED; i < HEADER_SIZE; i++) if (buf[i] !== 0) throw corrupt('the reserved bytes of its header are not zero');
  if (buf.length < HEADER_SIZE + payloadSize) throw cut(`it has ${buf.length} bytes, but its header says ${HEADER_SIZE + payloadSize}`);
  if (buf.length > HEADER_SIZE + payloadSize) throw corrupt(`it has ${buf.length - HEADER_SIZE - payloadSize} bytes more than its header says`);
  // 4. checksum, then sections
  const payload = buf.subarray(HEADER_SIZE);
  const digest = createHash('sha256').update(payload).digest();
  for (let i = 0; i < 32; i++) if (digest[i] !== buf[H_SHA256 + i]) throw corrupt('the SHA-256 checksum of its contents does not match the one in its header');
  const sections = new Map<string, { start: number; end: number }>();
  for (let p = HEADER_SIZE; p < buf.length;) {
    if (p + SECTION_HEADER > buf.length) throw corrupt('a section header runs past the end');
    const tag = String.fromCharCode(buf[p]!, buf[p + 1]!, buf[p + 2]!, buf[p + 3]!);
    const len = dv.getUint32(p + 8, true) + dv.getUint32(p + 12, true) * 2 ** 32;
    const start = p + SECTION_HEADER, end = start + len;
    if (end > buf.length) throw corrupt(`section ${tag} runs past the end`);
    // Sections this evg does not know are skipped (a later version 1 writer may add some).
    if (!sections.has(tag)) sections.set(tag, { start, end });
    p = end + ((8 - (len % 8)) % 8);
  }
  for (const tag of [SECTION_INFO, SECTION_MODEL, SECTION_SOURCE, SECTION_ARRAYS]) if (!sections.has(tag)) throw corrupt(`section ${tag} is missing`);
  const arrays = sections.get(SECTION_ARRAYS)!;
  const reader = new TreeReader(buf, buf.subarray(arrays.start, arrays.end));
  const tree = (tag: string) => { const s = sections.get(tag)!; return reader.tree(s.start, s.end); };
  const info = tree(SECTION_INFO) as BundleInfo;
  if (!info || typeof info.main !== 'string' || !Array.isArray(info.sources)) throw corrupt('its INFO section lacks the main file or the sources');
  // 5. sources
  if (opts.checkSources !== false) checkSources(info, file, show);
  const model = tree(SECTION_MODEL) as Model;
  checkShape(model, corrupt);
  const source = tree(SECTION_SOURCE) as SourceModel;
  if (!source || !Array.isArray(source.families) || !Array.isArray(source.costs)) throw corrupt('its SRCM section is not a source model');
  return { info, elaboration: { model }, source: () => source, times: {}, main: info.main, bytes: buf.length };
}

/** The source files that changed since the bundle was written, and those no longer present. */
export function sourceChanges(info: BundleInfo): { changed: string[]; missing: string[] } {
  const changed: string[] = [], missing: string[] = [];
  for (const s of info.sources) {
    if (!existsSync(s.path)) { missing.push(s.path); continue; }
    let text: string;
    try {
      text = readFileSync(s.path, 'utf8');
    } catch {
      missing.push(s.path);
      continue;
    }
    if (sha256Text(text) !== s.sha256) changed.push(s.path);
  }
  return { changed, missing };
}

function checkSources(info: BundleInfo, file: string, show: (p: string) => string): void {
  const { changed } = sourceChanges(info);
  if (!changed.length) return;
  const list = changed.slice(0, 3).map((p) => `\`${show(p)}\``).join(', ') + (changed.length > 3 ? ` and ${changed.length - 3} more` : '');
  throw new BundleError('E0714',
    `\`${file}\` is stale: ${list} changed since it was compiled (${info.created.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')})`,
    `compile it again: evg compile ${show(info.main)} -o ${file}; or, to solve the model as it was compiled, add --ignore-sources`);
}

/** Cheap checks of the decoded model's array lengths (the checksum already vouches for the bytes). */
function checkShape(m: Model, corrupt: (what: string) => BundleError): void {
  const ok = !!m && typeof m === 'object' && Number.isInteger(m.numCols) && Number.isInteger(m.numRows)
    && m.colLower?.length === m.numCols && m.colUpper?.length === m.numCols && m.colType?.length === m.numCols && m.colCost?.length === m.numCols
    && m.rowStart?.length >= m.numRows + 1 && m.rowLower?.length === m.numRows && m.rowUpper?.length === m.numRows && m.rowScale?.length === m.numRows
    && m.rowIndex?.length === m.rowValue?.length && m.rowStart[m.numRows]! <= m.rowIndex.length
    && Array.isArray(m.colFamilies) && Array.isArray(m.rowFamilies) && Array.isArray(m.lowering) && !!m.objective && !!m.stats;
  if (!ok) throw corrupt('its model section does not describe a consistent model');
}
