// Expected values come from closed forms (Weibull, Beta(2,1), Beta(1,3), uniform, half-normal),
// the normal tables (Phi^{-1}(0.975) = 1.959963984540054, Phi(-1), Phi(2), Q(10)) and hand
// computations for the empirical rule; none is produced by the code under test.
import { describe, expect, it } from 'vitest';
import { marginalError, mean, quantile, quantileFunction, variance, type Marginal } from './marginals.js';
import { sample } from './copula.js';
import { normalCdf } from './stats.js';

const Z975 = 1.959963984540054;
const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);

describe('normal', () => {
  const m: Marginal = { kind: 'normal', mean: 10, sd: 2 };
  it('quantiles', () => {
    expect(quantile(m, 0.975)).toBeCloseTo(10 + 2 * Z975, 12);
    expect(quantile(m, 0.025)).toBeCloseTo(10 - 2 * Z975, 12);
    expect(quantile(m, 0.5)).toBe(10);
    expect(quantile(m, 0)).toBe(-Infinity);
    expect(quantile(m, 1)).toBe(Infinity);
    expect(quantile(m, -0.1)).toBeNaN();
    expect(quantile(m, 1.1)).toBeNaN();
  });
  it('moments', () => {
    expect(mean(m)).toBe(10);
    expect(variance(m)).toBe(4);
  });
});

describe('truncnormal', () => {
  it('with infinite bounds is the normal', () => {
    const m: Marginal = { kind: 'truncnormal', mean: 1, sd: 3, lo: -Infinity, hi: Infinity };
    expect(marginalError(m)).toBeUndefined();
    expect(quantile(m, 0.975)).toBeCloseTo(1 + 3 * Z975, 12);
    expect(mean(m)).toBeCloseTo(1, 14);
    expect(variance(m)).toBeCloseTo(9, 12);
  });
  it('half-normal above the mean (the reflected case)', () => {
    const m: Marginal = { kind: 'truncnormal', mean: 5, sd: 2, lo: 5, hi: Infinity };
    // P[X <= q] = 2 Phi((q - 5)/2) - 1 = 0.95 at q = 5 + 2 Phi^{-1}(0.975)
    expect(quantile(m, 0.95)).toBeCloseTo(5 + 2 * Z975, 11);
    expect(quantile(m, 0)).toBe(5);
    expect(mean(m)).toBeCloseTo(5 + 2 * Math.sqrt(2 / Math.PI), 12);
    expect(variance(m)).toBeCloseTo(4 * (1 - 2 / Math.PI), 12);
  });
  it('half-normal below the mean', () => {
    const m: Marginal = { kind: 'truncnormal', mean: 0, sd: 1, lo: -Infinity, hi: 0 };
    expect(quantile(m, 0.05)).toBeCloseTo(-Z975, 11);
    expect(mean(m)).toBeCloseTo(-Math.sqrt(2 / Math.PI), 12);
  });
  it('two-sided interval [-1, 2] sd', () => {
    const m: Marginal = { kind: 'truncnormal', mean: 0, sd: 1, lo: -1, hi: 2 };
    const PHI_M1 = 0.15865525393145707; // tables
    const PHI_2 = 0.9772498680518208;
    const z = PHI_2 - PHI_M1;
    for (const u of [0.01, 0.3, 0.5, 0.9, 0.999]) {
      const q = quantile(m, u);
      expect((normalCdf(q) - PHI_M1) / z).toBeCloseTo(u, 12);
    }
    expect(mean(m)).toBeCloseTo((phi(-1) - phi(2)) / z, 12);
    const m1 = (phi(-1) - phi(2)) / z;
    expect(variance(m)).toBeCloseTo(1 + (-1 * phi(-1) - 2 * phi(2)) / z - m1 * m1, 12);
    expect(quantile(m, 0)).toBeCloseTo(-1, 12);
    expect(quantile(m, 1)).toBeCloseTo(2, 12);
  });
  it('far in the upper tail (10 sd) stays accurate', () => {
    const m: Marginal = { kind: 'truncnormal', mean: 0, sd: 1, lo: 10, hi: Infinity };
    const Q10 = 7.619853024160527e-24; // 1 - Phi(10), tables
    expect(mean(m)).toBeCloseTo(phi(10) / Q10, 9); // inverse Mills ratio, 10.098093...
    const med = quantile(m, 0.5);
    expect(med).toBeGreaterThan(10);
    expect(normalCdf(-med) / Q10).toBeCloseTo(0.5, 9);
  });
  it('an interval with no probability is an error', () => {
    expect(marginalError({ kind: 'truncnormal', mean: 0, sd: 1, lo: 40, hi: 50 })).toMatch(/no probability/);
    expect(marginalError({ kind: 'truncnormal', mean: 0, sd: 1, lo: -Infinity, hi: -45 })).toMatch(/no probability/);
    expect(marginalError({ kind: 'truncnormal', mean: 0, sd: 1, lo: 30, hi: 31 })).toBeUndefined();
  });
});

describe('beta', () => {
  it('Beta(2,2) median is the middle of [lo, hi]', () => {
    expect(quantile({ kind: 'beta', a: 2, b: 2, lo: 0, hi: 1 }, 0.5)).toBeCloseTo(0.5, 14);
    expect(quantile({ kind: 'beta', a: 2, b: 2, lo: 10, hi: 20 }, 0.5)).toBeCloseTo(15, 12);
  });
  it('closed-form quantiles: Beta(2,1) sqrt(u), Beta(1,3) 1 - (1-u)^(1/3), Beta(1,1) u', () => {
    for (const u of [0.001, 0.2, 0.5, 0.77, 0.999]) {
      expect(quantile({ kind: 'beta', a: 2, b: 1, lo: 0, hi: 1 }, u)).toBeCloseTo(Math.sqrt(u), 12);
      expect(quantile({ kind: 'beta', a: 1, b: 3, lo: -1, hi: 1 }, u)).toBeCloseTo(-1 + 2 * (1 - (1 - u) ** (1 / 3)), 12);
      expect(quantile({ kind: 'beta', a: 1, b: 1, lo: 0, hi: 4 }, u)).toBeCloseTo(4 * u, 12);
    }
  });
  it('Beta(2,5): mean 2/7 in closed form and over a sample', () => {
    const m: Marginal = { kind: 'beta', a: 2, b: 5, lo: 0, hi: 1 };
    expect(mean(m)).toBeCloseTo(2 / 7, 15);
    expect(variance(m)).toBeCloseTo(10 / (49 * 8), 15);
    const n = 20000;
    const x = sample([m], { kind: 'independent' }, n, 7);
    const avg = x.reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(avg - 2 / 7)).toBeLessThan(4 * Math.sqrt(10 / (49 * 8) / n));
  });
});

describe('weibull', () => {
  it('closed-form quantile lambda (-ln(1-u))^(1/k)', () => {
    expect(quantile({ kind: 'weibull', shape: 2.3, scale: 7 }, 1 - Math.exp(-1))).toBeCloseTo(7, 12);
    expect(quantile({ kind: 'weibull', shape: 1, scale: 3 }, 0.5)).toBeCloseTo(3 * Math.LN2, 12);
    expect(quantile({ kind: 'weibull', shape: 2, scale: 3 }, 0.5)).toBeCloseTo(3 * Math.sqrt(Math.LN2), 12);
    expect(quantile({ kind: 'weibull', shape: 2, scale: 3 }, 0)).toBe(0);
  });
  it('moments: shape 1 is exponential, shape 2 is Rayleigh', () => {
    expect(mean({ kind: 'weibull', shape: 1, scale: 3 })).toBeCloseTo(3, 12);
    expect(variance({ kind: 'weibull', shape: 1, scale: 3 })).toBeCloseTo(9, 11);
    expect(mean({ kind: 'weibull', shape: 2, scale: 3 })).toBeCloseTo((3 * Math.sqrt(Math.PI)) / 2, 12);
    expect(variance({ kind: 'weibull', shape: 2, scale: 3 })).toBeCloseTo(9 * (1 - Math.PI / 4), 11);
  });
});

describe('uniform', () => {
  const m: Marginal = { kind: 'uniform', lo: -2, hi: 6 };
  it('quantile and moments', () => {
    expect(quantile(m, 0.25)).toBe(0);
    expect(quantile(m, 0)).toBe(-2);
    expect(quantile(m, 1)).toBe(6);
    expect(mean(m)).toBe(2);
    expect(variance(m)).toBeCloseTo(64 / 12, 14);
  });
});

describe('empirical (Hazen rule: x_(k) at (k - 1/2)/n, linear between)', () => {
  const m: Marginal = { kind: 'empirical', values: [3, 1, 2] };
  it('quantiles', () => {
    expect(quantile(m, 1 / 6)).toBeCloseTo(1, 14);
    expect(quantile(m, 0.5)).toBeCloseTo(2, 14);
    expect(quantile(m, 5 / 6)).toBeCloseTo(3, 14);
    expect(quantile(m, 1 / 3)).toBeCloseTo(1.5, 14); // halfway between 1/6 and 1/2
    expect(quantile(m, 0.01)).toBe(1); // flat beyond the ends
    expect(quantile(m, 0.99)).toBe(3);
    expect(quantile({ kind: 'empirical', values: [1, 1, 2, 2] }, 0.5)).toBeCloseTo(1.5, 14);
    expect(quantile({ kind: 'empirical', values: [4] }, 0.3)).toBe(4);
  });
  it('moments: the sample mean; the variance of the interpolated law', () => {
    expect(mean(m)).toBe(2);
    // masses 1/6 at 1 and 3, uniform 1/3 on [1,2] and on [2,3]: 1/6 + 1/9 + 1/9 + 1/6 = 5/9
    expect(variance(m)).toBeCloseTo(5 / 9, 14);
  });
  it('does not depend on the order of the values and does not change them', () => {
    const values = [5, -1, 3, 3, 0];
    const f = quantileFunction({ kind: 'empirical', values });
    const g = quantileFunction({ kind: 'empirical', values: [-1, 0, 3, 3, 5] });
    for (const u of [0.05, 0.2, 0.5, 0.73]) expect(f(u)).toBe(g(u));
    expect(values).toEqual([5, -1, 3, 3, 0]);
  });
});

describe('marginalError', () => {
  const cases: [Marginal, RegExp | undefined][] = [
    [{ kind: 'normal', mean: 0, sd: 1 }, undefined],
    [{ kind: 'normal', mean: 0, sd: 0 }, /sd must be greater than 0 \(got 0\)/],
    [{ kind: 'normal', mean: 0, sd: -1 }, /sd must be greater than 0/],
    [{ kind: 'normal', mean: NaN, sd: 1 }, /mean must be a finite number \(got NaN\)/],
    [{ kind: 'normal', mean: 0, sd: Infinity }, /sd must be a finite number/],
    [{ kind: 'truncnormal', mean: 0, sd: 1, lo: 2, hi: 1 }, /lo must be less than hi/],
    [{ kind: 'truncnormal', mean: 0, sd: 1, lo: NaN, hi: 1 }, /lo must be a number \(got NaN\)/],
    [{ kind: 'beta', a: 0, b: 2, lo: 0, hi: 1 }, /beta: a must be greater than 0/],
    [{ kind: 'beta', a: 2, b: -1, lo: 0, hi: 1 }, /beta: b must be greater than 0/],
    [{ kind: 'beta', a: 2, b: 2, lo: 1, hi: 1 }, /lo must be less than hi/],
    [{ kind: 'beta', a: 2, b: 2, lo: 0, hi: Infinity }, /hi must be a finite number/],
    [{ kind: 'weibull', shape: 0, scale: 1 }, /shape must be greater than 0/],
    [{ kind: 'weibull', shape: 1, scale: NaN }, /scale must be a finite number/],
    [{ kind: 'uniform', lo: 3, hi: 2 }, /lo must be less than hi \(got lo = 3, hi = 2\)/],
    [{ kind: 'empirical', values: [] }, /at least one value/],
    [{ kind: 'empirical', values: [1, NaN] }, /value 2 must be a finite number/],
    [{ kind: 'weird' } as unknown as Marginal, /unknown marginal kind "weird"/],
  ];
  it.each(cases)('%o', (m, expected) => {
    const e = marginalError(m);
    if (expected === undefined) expect(e).toBeUndefined();
    else expect(e).toMatch(expected);
  });
});
