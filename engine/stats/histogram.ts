// A distribution of non-negative values (latencies in seconds, queries per lookup) in
// fixed memory, with relative error under 1 % on every quantile of values spread smoothly
// (under 2 % at worst), mergeable exactly across replications and worker threads.
// Log-bucketed as DDSketch (Masson, Rim & Lee, VLDB 2019), with each bucket's smallest and
// largest value kept.
//
// Buckets: 35 per octave. Bucket j of octave e holds [2^e·γ^j, 2^e·γ^(j+1)) with
// γ = 2^(1/35) ≈ 1.0200. A quantile is interpolated within its bucket: the c values of the
// bucket, smallest lo and largest hi, are taken as log-uniform between them, so the one of rank
// k among them (0-based) reads lo·(hi/lo)^(k/(c−1)). The smallest and largest of a bucket come
// out exact, and so does a bucket holding copies of one value (a retransmission step every
// blocked connect waits for); both the estimate and the true value lie in [lo, hi] ⊂ [L, γL), so the error is
// under γ−1 ≈ 2.0 % for any data, and under 1 % where the values spread smoothly over the
// bucket (any continuous density is nearly flat across 2 %). The interpolation is what lets two
// replications whose quantiles fall in one bucket differ: one representative per bucket gave
// them identical p99s and zero-width intervals.
// Range [2^-30, 2^20) ≈ [0.93 ns, 12 days]: 50 octaves = 1750 buckets, plus an underflow
// bucket (values below 2^-30, zero included) and an overflow bucket (2^20 and above):
// 1752 float64 counts, minima and maxima, 42 KB. Quantiles landing in underflow report the
// exact min seen, those landing in overflow the exact max seen: outside the range the bound
// does not hold.

const BUCKETS_PER_OCTAVE = 35;
const MIN_EXPONENT = -30;
const MAX_EXPONENT = 20;
const LOWEST = 2 ** MIN_EXPONENT;
const HIGHEST = 2 ** MAX_EXPONENT;
const UNDERFLOW = 0;
const OVERFLOW = (MAX_EXPONENT - MIN_EXPONENT) * BUCKETS_PER_OCTAVE + 1;
const BUCKET_COUNT = OVERFLOW + 1;
const GAMMA = 2 ** (1 / BUCKETS_PER_OCTAVE);

/** Bucket boundaries within one octave, as mantissas in [1, 2]: BOUNDARY[j] = γ^j. */
const BOUNDARY = new Float64Array(BUCKETS_PER_OCTAVE + 1);
for (let j = 0; j <= BUCKETS_PER_OCTAVE; j++) BOUNDARY[j] = 2 ** (j / BUCKETS_PER_OCTAVE);

// The top 7 mantissa bits pick a cell 1/128 wide, narrower than any bucket (≥ 0.0199 wide
// in [1, 2)), so a cell straddles at most one boundary: the table gives the bucket of the
// cell's lower edge and one comparison decides between it and the next.
const CELL_BITS = 7;
const CELL_BUCKET = new Uint8Array(1 << CELL_BITS);
for (let cell = 0; cell < CELL_BUCKET.length; cell++) {
  const lowerEdge = 1 + cell / CELL_BUCKET.length;
  let j = 0;
  while (BOUNDARY[j + 1] <= lowerEdge) j++;
  CELL_BUCKET[cell] = j;
}

// Float64 bits through a shared scratch word pair: no allocation per add.
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const HIGH_WORD = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/**
 * Bucket index of a value in [2^-30, 2^20), read from its float64 exponent and mantissa.
 * Measured (Node 20, shared 2-core VM, 2^20 log-uniform values, whole add(), 4 runs):
 * 16–19 ns with this, 20–28 ns with Math.floor(Math.log(x) * 35 / ln 2), Math.log2 slower
 * still. It also puts values on bucket edges exactly, which the logarithm's rounding does not.
 */
function bucketOf(x: number): number {
  scratch[0] = x;
  const high = scratchWords[HIGH_WORD];
  let j = CELL_BUCKET[(high >>> (20 - CELL_BITS)) & ((1 << CELL_BITS) - 1)];
  scratchWords[HIGH_WORD] = (high & 0xfffff) | 0x3ff00000; // same mantissa, exponent 0: in [1, 2)
  if (scratch[0] >= BOUNDARY[j + 1]) j++;
  return ((high >>> 20) - 1023 - MIN_EXPONENT) * BUCKETS_PER_OCTAVE + j + 1;
}


function checkValue(x: number): void {
  if (!(x >= 0 && x < Infinity)) throw new RangeError(`histogram values must be finite and >= 0, got ${x}`);
}

/** The compact sparse form: only non-empty buckets, as parallel arrays. */
export interface HistogramJson {
  bucketsPerOctave: number;
  minExponent: number;
  maxExponent: number;
  count: number;
  sum: number;
  /** null when empty. */
  min: number | null;
  max: number | null;
  /** Bucket indices, ascending: 0 is underflow, 1751 overflow. */
  index: number[];
  counts: number[];
  /** Each listed bucket's smallest and largest value. */
  mins: number[];
  maxs: number[];
}

export class Histogram {
  /**
   * The relative error of a quantile inside the range for values spread smoothly over its
   * bucket, √γ−1 ≈ 0.00995: half the bucket's width on a log scale.
   */
  static readonly relativeAccuracy = Math.sqrt(GAMMA) - 1;
  /** The bound for any data inside the range: estimate and value share a bucket, γ−1 ≈ 0.0200. */
  static readonly worstRelativeError = GAMMA - 1;

  private readonly buckets = new Float64Array(BUCKET_COUNT);
  private readonly bucketMin = new Float64Array(BUCKET_COUNT).fill(Infinity);
  private readonly bucketMax = new Float64Array(BUCKET_COUNT).fill(-Infinity);
  private n = 0;
  private total = 0;
  private smallest = Infinity;
  private largest = -Infinity;

  /** Records one value; throws on negative or non-finite values (a model bug). */
  add(x: number): void {
    checkValue(x);
    this.n++;
    this.total += x;
    if (x < this.smallest) this.smallest = x;
    if (x > this.largest) this.largest = x;
    const bucket = x < LOWEST ? UNDERFLOW : x >= HIGHEST ? OVERFLOW : bucketOf(x);
    this.buckets[bucket]++;
    if (x < this.bucketMin[bucket]) this.bucketMin[bucket] = x;
    if (x > this.bucketMax[bucket]) this.bucketMax[bucket] = x;
  }

  /** Records `count` copies of x (count a non-negative integer). */
  addMany(x: number, count: number): void {
    checkValue(x);
    if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    this.n += count;
    this.total += x * count;
    if (x < this.smallest) this.smallest = x;
    if (x > this.largest) this.largest = x;
    const bucket = x < LOWEST ? UNDERFLOW : x >= HIGHEST ? OVERFLOW : bucketOf(x);
    this.buckets[bucket] += count;
    if (x < this.bucketMin[bucket]) this.bucketMin[bucket] = x;
    if (x > this.bucketMax[bucket]) this.bucketMax[bucket] = x;
  }

  get count(): number {
    return this.n;
  }

  get sum(): number {
    return this.total;
  }

  /** Exact; NaN when empty. */
  get min(): number {
    return this.n === 0 ? NaN : this.smallest;
  }

  /** Exact; NaN when empty. */
  get max(): number {
    return this.n === 0 ? NaN : this.largest;
  }

  /** Exact (sum / count); NaN when empty. */
  get mean(): number {
    return this.n === 0 ? NaN : this.total / this.n;
  }

  /**
   * The q-quantile as the lower order statistic x_(⌊q·(n−1)⌋) (0-based, sorted ascending),
   * interpolated within its bucket (see the top of this file); q = 0 and q = 1 give the
   * exact min and max.
   * NaN when empty. Scans the buckets: for reports, not for the hot path.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    if (this.n === 0) return NaN;
    if (q === 0) return this.smallest;
    if (q === 1) return this.largest;
    const rank = Math.floor(q * (this.n - 1));
    let before = 0;
    let bucket = 0;
    for (; bucket < OVERFLOW; bucket++) {
      if (before + this.buckets[bucket] > rank) break;
      before += this.buckets[bucket];
    }
    if (bucket === UNDERFLOW) return this.smallest;
    if (bucket === OVERFLOW) return this.largest;
    const inBucket = this.buckets[bucket];
    const lo = this.bucketMin[bucket];
    const hi = this.bucketMax[bucket];
    const k = rank - before;
    if (k === 0 || lo === hi) return lo;
    if (k >= inBucket - 1) return hi;
    return lo * (hi / lo) ** (k / (inBucket - 1));
  }

  /**
   * Adds other's values to this histogram. Counts, min, max and so every quantile come
   * out identical to one histogram fed everything; sum (and mean) to float rounding.
   */
  merge(other: Histogram): this {
    if (other.n === 0) return this;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      this.buckets[i] += other.buckets[i];
      if (other.bucketMin[i] < this.bucketMin[i]) this.bucketMin[i] = other.bucketMin[i];
      if (other.bucketMax[i] > this.bucketMax[i]) this.bucketMax[i] = other.bucketMax[i];
    }
    this.n += other.n;
    this.total += other.total;
    if (other.smallest < this.smallest) this.smallest = other.smallest;
    if (other.largest > this.largest) this.largest = other.largest;
    return this;
  }

  /** Warm-up deletion: forget every value so far. */
  reset(): void {
    this.buckets.fill(0);
    this.bucketMin.fill(Infinity);
    this.bucketMax.fill(-Infinity);
    this.n = 0;
    this.total = 0;
    this.smallest = Infinity;
    this.largest = -Infinity;
  }

  toJSON(): HistogramJson {
    const index: number[] = [];
    const counts: number[] = [];
    const mins: number[] = [];
    const maxs: number[] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) {
      if (this.buckets[i] !== 0) {
        index.push(i);
        counts.push(this.buckets[i]);
        mins.push(this.bucketMin[i]);
        maxs.push(this.bucketMax[i]);
      }
    }
    return {
      bucketsPerOctave: BUCKETS_PER_OCTAVE,
      minExponent: MIN_EXPONENT,
      maxExponent: MAX_EXPONENT,
      count: this.n,
      sum: this.total,
      min: this.n === 0 ? null : this.smallest,
      max: this.n === 0 ? null : this.largest,
      index,
      counts,
      mins,
      maxs,
    };
  }

  /** Rebuilds a histogram from toJSON(); throws if the bucket scheme differs or the data is inconsistent. */
  static fromJSON(json: HistogramJson): Histogram {
    if (
      json.bucketsPerOctave !== BUCKETS_PER_OCTAVE ||
      json.minExponent !== MIN_EXPONENT ||
      json.maxExponent !== MAX_EXPONENT
    ) {
      throw new Error(
        `histogram scheme ${json.bucketsPerOctave}/octave over 2^${json.minExponent}..2^${json.maxExponent} ` +
          `is not this build's ${BUCKETS_PER_OCTAVE}/octave over 2^${MIN_EXPONENT}..2^${MAX_EXPONENT}`,
      );
    }
    if (json.index.length !== json.counts.length || json.mins?.length !== json.index.length || json.maxs?.length !== json.index.length) {
      throw new Error('histogram JSON: index, counts, mins and maxs differ in length');
    }
    const histogram = new Histogram();
    let counted = 0;
    for (let k = 0; k < json.index.length; k++) {
      const bucket = json.index[k];
      const count = json.counts[k];
      if (!(Number.isInteger(bucket) && bucket >= 0 && bucket < BUCKET_COUNT)) {
        throw new Error(`histogram JSON: bucket index ${bucket} out of range`);
      }
      if (!(count >= 0)) throw new Error(`histogram JSON: bad count ${count}`);
      histogram.buckets[bucket] += count;
      histogram.bucketMin[bucket] = Math.min(histogram.bucketMin[bucket], json.mins[k]);
      histogram.bucketMax[bucket] = Math.max(histogram.bucketMax[bucket], json.maxs[k]);
      counted += count;
    }
    if (counted !== json.count) throw new Error(`histogram JSON: buckets hold ${counted} values, count says ${json.count}`);
    histogram.n = json.count;
    histogram.total = json.sum;
    histogram.smallest = json.count === 0 ? Infinity : (json.min ?? NaN);
    histogram.largest = json.count === 0 ? -Infinity : (json.max ?? NaN);
    return histogram;
  }
}
