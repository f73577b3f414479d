// Seeded random numbers for the randomized tests: the Mersenne Twister of @stdlib (the generator
// the scenario sampler uses), so that a failing case is reproduced by its seed.
import mt19937 from '@stdlib/random-base-mt19937';

/** Uniform numbers in [0, 1) from a seed (any integer; 0 is fine). */
export function rng(seed: number): () => number {
  const r = mt19937.factory({ seed: ((seed >>> 0) % 4294967295) + 1 });
  return () => r() / 4294967296; // 32-bit outputs in [0, 2^32)
}

/** A uniform integer in lo..hi. */
export const int = (u: () => number, lo: number, hi: number): number => lo + Math.floor(u() * (hi - lo + 1));
