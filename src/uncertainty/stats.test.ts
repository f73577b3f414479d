// Expected values: standard normal and chi-square tables (Abramowitz and Stegun 26.2 and 26.4),
// closed forms (chi-square with 2 dof: -2 ln(1 - p)), and hand-counted small examples.
import { describe, expect, it } from 'vitest';
import {
  chiSquareQuantile,
  kendall,
  normalCdf,
  normalQuantile,
  pearson,
  pearsonFromSpearman,
  ranks,
  spearman,
  spearmanFromPearson,
} from './stats.js';

describe('normal distribution', () => {
  it('quantiles match the tables, including far in the tails', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853626951472, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    expect(normalQuantile(1e-20)).toBeCloseTo(-9.262340089798408, 9);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });
  it('cdf matches the tables and inverts the quantile', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 10); // Q(10) from the tables
    for (const p of [1e-15, 0.001, 0.3, 0.9]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 10);
  });
});

describe('chiSquareQuantile', () => {
  it('matches the tables', () => {
    expect(chiSquareQuantile(0.95, 1)).toBeCloseTo(3.841459, 5); // = 1.959964^2
    expect(chiSquareQuantile(0.95, 1)).toBeCloseTo(1.959963984540054 ** 2, 10);
    expect(chiSquareQuantile(0.95, 10)).toBeCloseTo(18.307038, 5);
    expect(chiSquareQuantile(0.99, 5)).toBeCloseTo(15.086272, 5);
    expect(chiSquareQuantile(0.95, 30)).toBeCloseTo(43.772972, 5);
  });
  it('matches the 2-dof closed form -2 ln(1 - p)', () => {
    for (const p of [0.05, 0.5, 0.9, 0.999]) expect(chiSquareQuantile(p, 2)).toBeCloseTo(-2 * Math.log(1 - p), 10);
  });
  it('rejects bad input with NaN', () => {
    expect(chiSquareQuantile(0.5, 0)).toBeNaN();
    expect(chiSquareQuantile(-0.1, 3)).toBeNaN();
  });
});

describe('correlations', () => {
  it('pearson of a small example (hand computed: 15 / sqrt(228))', () => {
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(15 / Math.sqrt(228), 14);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => pearson([1, 2], [1])).toThrow(/different lengths/);
  });
  it('spearman without ties: 1 - 6 sum d^2 / (n (n^2 - 1))', () => {
    // d = (-2, -2, 2, 2, 0): 1 - 6 * 16 / 120 = 0.2
    expect(spearman([1, 2, 3, 4, 5], [3, 4, 1, 2, 5])).toBeCloseTo(0.2, 14);
    // invariant under monotone transforms
    expect(spearman([1, 2, 3, 4, 5].map(Math.exp), [3, 4, 1, 2, 5].map((v) => v ** 3))).toBeCloseTo(0.2, 14);
  });
  it('spearman with ties uses average ranks', () => {
    expect(Array.from(ranks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(ranks([5, 5, 5]))).toEqual([2, 2, 2]);
    // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10)
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(3 / Math.sqrt(10), 14);
  });
  it('kendall tau-b of small examples', () => {
    // 6 concordant and 4 discordant pairs of 10
    expect(kendall([1, 2, 3, 4, 5], [3, 4, 1, 2, 5])).toBeCloseTo(0.2, 14);
    // one pair tied in x; C = 2, D = 3: (2 - 3) / sqrt((6 - 1)(6 - 0))
    expect(kendall([1, 2, 2, 3], [1, 2, 3, 0.5])).toBeCloseTo((2 - 3) / Math.sqrt(5 * 6), 14);
  });
  it('Spearman/Pearson conversion under the Gaussian copula', () => {
    expect(pearsonFromSpearman(0.5)).toBeCloseTo(2 * Math.sin(Math.PI / 12), 15);
    expect(pearsonFromSpearman(1)).toBe(1);
    expect(pearsonFromSpearman(-1)).toBe(-1);
    expect(pearsonFromSpearman(0)).toBe(0);
    for (const r of [-0.9, -0.3, 0.2, 0.7]) expect(pearsonFromSpearman(spearmanFromPearson(r))).toBeCloseTo(r, 14);
  });
});
