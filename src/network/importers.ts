// The network importers behind `network x = opendss("...")` and `matpower("...")`, with a cache
// so that a file imported by several declarations (or models of one run) is read once.
import { statSync } from 'node:fs';
import type { NetworkData } from './model.js';

export interface ImportResult {
  readonly network?: NetworkData;
  /** The file itself could not be read. */
  readonly missing?: string;
  readonly diagnostics: readonly { readonly message: string; readonly file: string; readonly line: number; readonly col: number; readonly severity: 'error' | 'warning' }[];
}

type Reader = (path: string) => ImportResult;
const readers = new Map<'opendss' | 'matpower', Reader>();

/** Registers an importer (the readers register themselves when their module is loaded). */
export function registerImporter(format: 'opendss' | 'matpower', read: Reader): void {
  readers.set(format, read);
}

const cache = new Map<string, { mtime: number; result: ImportResult }>();

export function importNetwork(path: string, format: 'opendss' | 'matpower'): ImportResult {
  let mtime = 0;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    return { missing: 'no such file', diagnostics: [] };
  }
  const key = `${format}|${path}`;
  const hit = cache.get(key);
  if (hit && hit.mtime === mtime) return hit.result;
  const read = readers.get(format);
  if (!read) return { diagnostics: [{ message: `the ${format} importer is not available`, file: path, line: 1, col: 1, severity: 'error' }] };
  const result = read(path);
  cache.set(key, { mtime, result });
  return result;
}
