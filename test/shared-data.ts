// Where the shared test systems are (the IEEE feeders, case33bw, the PMD cases, Sioux Falls …):
// EVG_DATA if set, else `shared/data` beside the checkout (../shared/data), else /work/shared/data.
// The data is not part of the repository; without it the tests that read it skip, and say so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const candidates = process.env.EVG_DATA
  ? [process.env.EVG_DATA]
  : [fileURLToPath(new URL('../../shared/data', import.meta.url)), '/work/shared/data'];

export const SHARED_DATA: string = candidates.find((d) => existsSync(d)) ?? candidates[0]!;
export const haveSharedData: boolean = existsSync(SHARED_DATA);

/** A path inside the shared data directory. */
export function sharedData(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

if (!haveSharedData) {
  console.warn(`shared test data not found (looked in ${candidates.join(', ')}; set EVG_DATA): skipping the tests that read it`);
}
