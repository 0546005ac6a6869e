// Probability distributions sampled from a RandomStream: the delays, sizes and choices of the
// models. Each draw allocates nothing; parameters are checked once, when the distribution is made.
//
// Continuous draws use inversion where it is cheap (exponential, uniform, normal, lognormal,
// Pareto): one uniform per draw, monotone in it, which keeps compared settings in step under
// common random numbers. Gamma uses Marsaglia–Tsang rejection; Zipf and empirical an alias table.

import type { RandomStream } from './random.js';

export interface Distribution {
  /** One draw; consumes one or more uniforms from `rng` (none for deterministic). */
  sample(rng: RandomStream): number;
  /** The theoretical mean (Infinity where it diverges, as Pareto with alpha <= 1). */
  readonly mean: number;
  /** A short, human-readable form for reports, e.g. "exponential(rate=2)". */
  describe(): string;
}

// ---- argument checks: once per distribution, never per draw ----

function requireFinite(where: string, name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${where}: ${name} must be a finite number, got ${value}`);
  }
}

function requirePositive(where: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${where}: ${name} must be a finite number > 0, got ${value}`);
  }
}

function requireNonNegative(where: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${where}: ${name} must be a finite number >= 0, got ${value}`);
  }
}

function requireCount(where: string, name: string, value: number, max: number): void {
  if (!(Number.isInteger(value) && value >= 1 && value <= max)) {
    throw new RangeError(`${where}: ${name} must be an integer in [1, ${max}], got ${value}`);
  }
}

// ---- uniforms and the normal quantile ----

/**
 * A uniform in (0, 1). RandomStream.next() may return 0; rejecting it keeps the law uniform,
 * and on the generator's k/2^32 grid leaves values symmetric about 1/2.
 */
function openUniform(rng: RandomStream): number {
  let u = rng.next();
  while (u === 0) u = rng.next();
  return u;
}

/**
 * The standard normal quantile Φ⁻¹(p) for p in (0, 1): Wichura's algorithm AS 241 (PPND16,
 * Applied Statistics 37(3), 1988), accurate to about 1 part in 10^16.
 */
export function standardNormalQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r +
      6.7265770927008700853e4) * r + 4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r +
      1.9715909503065514427e3) * r + 1.3314166789178437745e2) * r + 3.3871328727963666080)) /
      (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r +
        3.9307895800092710610e4) * r + 2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r +
        6.8718700749205790830e2) * r + 4.2313330701600911252e1) * r + 1);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
      2.41780725177450611770e-1) * r + 1.27045825245236838258) * r + 3.64784832476320460504) * r +
      5.76949722146069140550) * r + 4.63033784615654529590) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
        1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r +
        1.67638483018380384940) * r + 2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    z = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
      1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r +
      1.78482653991729133580) * r + 5.46378491116411436990) * r + 6.65790464350110377720) /
      (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
        1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r +
        1.36929880922735805310e-1) * r + 5.99832206555887937690e-1) * r + 1);
  }
  return q < 0 ? -z : z;
}

/** Φ⁻¹(0.99), to double precision: a lognormal's p99 is median · exp(Z99 · sigma). */
const Z99 = 2.3263478740408408;

function standardNormal(rng: RandomStream): number {
  return standardNormalQuantile(openUniform(rng));
}

// ---- continuous distributions ----

class Exponential implements Distribution {
  constructor(readonly mean: number, private readonly text: string) {}
  sample(rng: RandomStream): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - rng.next()) * this.mean;
  }
  describe(): string { return this.text; }
}

/** Exponential with `rate` events per unit time (mean 1 / rate). */
export function exponential(rate: number): Distribution {
  requirePositive('exponential', 'rate', rate);
  return new Exponential(1 / rate, `exponential(rate=${rate})`);
}

/** Exponential given its mean. */
export function exponentialMean(mean: number): Distribution {
  requirePositive('exponentialMean', 'mean', mean);
  return new Exponential(mean, `exponential(mean=${mean})`);
}

class Deterministic implements Distribution {
  constructor(readonly mean: number) {}
  sample(): number { return this.mean; }
  describe(): string { return `deterministic(${this.mean})`; }
}

/** Always `value`; draws nothing from the stream. */
export function deterministic(value: number): Distribution {
  requireFinite('deterministic', 'value', value);
  return new Deterministic(value);
}

class Uniform implements Distribution {
  readonly mean: number;
  private readonly width: number;
  constructor(private readonly lo: number, private readonly hi: number) {
    this.mean = (lo + hi) / 2;
    this.width = hi - lo;
  }
  sample(rng: RandomStream): number { return this.lo + this.width * rng.next(); }
  describe(): string { return `uniform(${this.lo}, ${this.hi})`; }
}

/** Uniform on [lo, hi). */
export function uniform(lo: number, hi: number): Distribution {
  requireFinite('uniform', 'lo', lo);
  requireFinite('uniform', 'hi', hi);
  if (!(hi > lo)) throw new RangeError(`uniform: hi must be > lo, got lo=${lo}, hi=${hi}`);
  return new Uniform(lo, hi);
}

class Normal implements Distribution {
  constructor(readonly mean: number, private readonly sd: number) {}
  sample(rng: RandomStream): number { return this.mean + this.sd * standardNormal(rng); }
  describe(): string { return `normal(mean=${this.mean}, sd=${this.sd})`; }
}

/** Normal (by inversion: one uniform per draw, no cached spare shared between streams). */
export function normal(mean: number, sd: number): Distribution {
  requireFinite('normal', 'mean', mean);
  requireNonNegative('normal', 'sd', sd);
  return new Normal(mean, sd);
}

class Lognormal implements Distribution {
  readonly mean: number;
  constructor(private readonly mu: number, private readonly sigma: number, private readonly text: string) {
    this.mean = Math.exp(mu + (sigma * sigma) / 2);
  }
  sample(rng: RandomStream): number { return Math.exp(this.mu + this.sigma * standardNormal(rng)); }
  describe(): string { return this.text; }
}

/** exp(N(mu, sigma²)): mu and sigma are the mean and sd of the logarithm. */
export function lognormal(mu: number, sigma: number): Distribution {
  requireFinite('lognormal', 'mu', mu);
  requireNonNegative('lognormal', 'sigma', sigma);
  return new Lognormal(mu, sigma, `lognormal(mu=${mu}, sigma=${sigma})`);
}

/** The lognormal with the given median and 99th percentile, as latency figures are published. */
export function lognormalFromMedianP99(median: number, p99: number): Distribution {
  requirePositive('lognormalFromMedianP99', 'median', median);
  requireFinite('lognormalFromMedianP99', 'p99', p99);
  if (!(p99 > median)) {
    throw new RangeError(`lognormalFromMedianP99: p99 must be > median, got median=${median}, p99=${p99}`);
  }
  const sigma = Math.log(p99 / median) / Z99;
  return new Lognormal(Math.log(median), sigma, `lognormal(median=${median}, p99=${p99})`);
}

/** One Gamma(shape, 1) draw by Marsaglia & Tsang (ACM TOMS 26(3), 2000); shape >= 1 here. */
function marsagliaTsang(rng: RandomStream, d: number, c: number): number {
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = openUniform(rng);
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

class Gamma implements Distribution {
  readonly mean: number;
  private readonly boosted: boolean;
  private readonly d: number;
  private readonly c: number;
  private readonly invShape: number;
  constructor(shape: number, private readonly scale: number, private readonly text: string) {
    this.mean = shape * scale;
    // Shape < 1: draw Gamma(shape + 1) and multiply by U^(1/shape) (Marsaglia & Tsang, section 6).
    this.boosted = shape < 1;
    this.d = (this.boosted ? shape + 1 : shape) - 1 / 3;
    this.c = 1 / Math.sqrt(9 * this.d);
    this.invShape = 1 / shape;
  }
  sample(rng: RandomStream): number {
    const g = marsagliaTsang(rng, this.d, this.c);
    if (!this.boosted) return g * this.scale;
    return g * Math.pow(openUniform(rng), this.invShape) * this.scale;
  }
  describe(): string { return this.text; }
}

/** Gamma with `shape` k and `scale` θ: mean kθ, variance kθ². */
export function gamma(shape: number, scale: number): Distribution {
  requirePositive('gamma', 'shape', shape);
  requirePositive('gamma', 'scale', scale);
  return new Gamma(shape, scale, `gamma(shape=${shape}, scale=${scale})`);
}

/** Up to this many phases, Erlang is -log of a product of uniforms (>= 2^-32 each: no underflow). */
const ERLANG_PRODUCT_MAX_K = 16;

class ErlangByProduct implements Distribution {
  readonly mean: number;
  constructor(private readonly k: number, private readonly rate: number) {
    this.mean = k / rate;
  }
  sample(rng: RandomStream): number {
    let product = 1;
    for (let i = 0; i < this.k; i++) product *= 1 - rng.next();
    return -Math.log(product) / this.rate;
  }
  describe(): string { return `erlang(k=${this.k}, rate=${this.rate})`; }
}

/** Erlang: the sum of `k` exponentials of `rate` each (mean k / rate). */
export function erlang(k: number, rate: number): Distribution {
  requireCount('erlang', 'k', k, 2 ** 31 - 1);
  requirePositive('erlang', 'rate', rate);
  if (k <= ERLANG_PRODUCT_MAX_K) return new ErlangByProduct(k, rate);
  return new Gamma(k, 1 / rate, `erlang(k=${k}, rate=${rate})`);
}

class Pareto implements Distribution {
  readonly mean: number;
  private readonly negInvAlpha: number;
  constructor(private readonly xm: number, private readonly alpha: number) {
    this.mean = alpha > 1 ? (alpha * xm) / (alpha - 1) : Infinity;
    this.negInvAlpha = -1 / alpha;
  }
  sample(rng: RandomStream): number { return this.xm * Math.pow(1 - rng.next(), this.negInvAlpha); }
  describe(): string { return `pareto(xm=${this.xm}, alpha=${this.alpha})`; }
}

/** Pareto (type I) on [xm, ∞) with tail index alpha; mean is Infinity when alpha <= 1. */
export function pareto(xm: number, alpha: number): Distribution {
  requirePositive('pareto', 'xm', xm);
  requirePositive('pareto', 'alpha', alpha);
  return new Pareto(xm, alpha);
}

// ---- discrete distributions: Walker's alias method ----

/**
 * Vose's alias table (IEEE TSE 17(9), 1991): O(n) set-up, O(1) per draw (two uniforms,
 * two array reads), exact for any weights. Chosen over Zipf rejection-inversion because it
 * needs no special cases (s = 0, s = 1, s < 1 all alike) and one structure serves empirical
 * too; its cost is 12 bytes per item. The column is floor(u · n) with u on a 2^32 grid, so an
 * item's probability is off by at most n / 2^32 relative (2.3e-5 for a million items).
 */
class AliasTable {
  readonly size: number;
  private readonly keep: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: Float64Array, total: number) {
    const n = weights.length;
    this.size = n;
    this.keep = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let smallCount = 0;
    let largeCount = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) small[smallCount++] = i;
      else large[largeCount++] = i;
    }
    while (smallCount > 0 && largeCount > 0) {
      const less = small[--smallCount];
      const more = large[--largeCount];
      this.keep[less] = scaled[less];
      this.alias[less] = more;
      scaled[more] = scaled[more] + scaled[less] - 1;
      if (scaled[more] < 1) small[smallCount++] = more;
      else large[largeCount++] = more;
    }
    // What remains is 1 up to rounding.
    while (largeCount > 0) this.keep[large[--largeCount]] = 1;
    while (smallCount > 0) this.keep[small[--smallCount]] = 1;
  }

  draw(rng: RandomStream): number {
    const column = Math.floor(rng.next() * this.size);
    return rng.next() < this.keep[column] ? column : this.alias[column];
  }
}

/** Items an alias table may hold (Int32Array indices). */
const MAX_ITEMS = 2 ** 31 - 1;

class Zipf implements Distribution {
  readonly mean: number;
  private readonly table: AliasTable;
  constructor(private readonly n: number, private readonly s: number) {
    const weights = new Float64Array(n);
    let total = 0;
    let weightedSum = 0;
    for (let k = 0; k < n; k++) {
      weights[k] = Math.pow(k + 1, -s);
      total += weights[k];
      weightedSum += k * weights[k];
    }
    this.mean = weightedSum / total;
    this.table = new AliasTable(weights, total);
  }
  sample(rng: RandomStream): number { return this.table.draw(rng); }
  describe(): string { return `zipf(n=${this.n}, s=${this.s})`; }
}

/**
 * An item index in [0, n) with P(k) ∝ 1 / (k + 1)^s: index 0 is the most popular.
 * s = 0 is uniform; any s >= 0 is allowed (s <= 1 included, since n is finite).
 */
export function zipf(n: number, s: number): Distribution {
  requireCount('zipf', 'n', n, MAX_ITEMS);
  requireNonNegative('zipf', 's', s);
  return new Zipf(n, s);
}

class Empirical implements Distribution {
  readonly mean: number;
  private readonly table: AliasTable;
  constructor(private readonly values: Float64Array, weights: Float64Array, total: number) {
    let weightedSum = 0;
    for (let i = 0; i < values.length; i++) weightedSum += values[i] * weights[i];
    this.mean = weightedSum / total;
    this.table = new AliasTable(weights, total);
  }
  sample(rng: RandomStream): number { return this.values[this.table.draw(rng)]; }
  describe(): string { return `empirical(${this.values.length} values)`; }
}

/** One of `values`, with probability proportional to `weights` (equal when omitted). */
export function empirical(values: readonly number[], weights?: readonly number[]): Distribution {
  if (values.length < 1 || values.length > MAX_ITEMS) {
    throw new RangeError(`empirical: values must hold 1 to ${MAX_ITEMS} numbers, got ${values.length}`);
  }
  if (weights !== undefined && weights.length !== values.length) {
    throw new RangeError(`empirical: weights must match values in length, got ${weights.length} for ${values.length}`);
  }
  const valueArray = Float64Array.from(values);
  const weightArray = new Float64Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    requireFinite('empirical', `values[${i}]`, values[i]);
    const weight = weights === undefined ? 1 : weights[i];
    requireNonNegative('empirical', `weights[${i}]`, weight);
    weightArray[i] = weight;
    total += weight;
  }
  if (!(total > 0 && Number.isFinite(total))) {
    throw new RangeError(`empirical: weights must have a finite sum > 0, got ${total}`);
  }
  return new Empirical(valueArray, weightArray, total);
}
