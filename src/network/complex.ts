// A tiny complex-number helper: immutable {re, im} values and the few operations needed to check a
// power-flow solution by hand (Kirchhoff's laws, I^H R I), as the tests do. The sweep itself
// (powerflow.ts) inlines its arithmetic on flat Float64Arrays of real and imaginary parts, for speed.

export interface Complex {
  readonly re: number;
  readonly im: number;
}

export const ZERO: Complex = { re: 0, im: 0 };

export function c(re: number, im = 0): Complex {
  return { re, im };
}

export function add(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

export function sub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

export function mul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

export function div(a: Complex, b: Complex): Complex {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
}

export function conj(a: Complex): Complex {
  return { re: a.re, im: -a.im };
}

export function scale(a: Complex, k: number): Complex {
  return { re: a.re * k, im: a.im * k };
}

export function abs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}

/** Argument in degrees. */
export function argDeg(a: Complex): number {
  return (Math.atan2(a.im, a.re) * 180) / Math.PI;
}

export function polar(mag: number, angleDeg: number): Complex {
  const t = (angleDeg * Math.PI) / 180;
  return { re: mag * Math.cos(t), im: mag * Math.sin(t) };
}

/** Matrix (row-major, n x n) times vector, complex. */
export function matVec(m: readonly (readonly Complex[])[], v: readonly Complex[]): Complex[] {
  return m.map((row) => row.reduce((s, mij, j) => add(s, mul(mij, v[j]!)), ZERO));
}

/** v^H w. */
export function dotH(v: readonly Complex[], w: readonly Complex[]): Complex {
  return v.reduce((s, vi, i) => add(s, mul(conj(vi), w[i]!)), ZERO);
}
