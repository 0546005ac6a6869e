// The engine's statistics. Each collects as the model runs, in O(1) per observation.
//
// Warm-up deletion: at the end of warm-up the model calls reset on every statistic it
// owns, so only the measured window counts: Counter.reset(), Tally.reset(),
// Histogram.reset() forget everything; TimeWeighted.reset(now) forgets the history but
// keeps the current level (the queue that built up during warm-up is still there and
// counts from `now` on). Rates over the measured window divide by (end − warm-up end).
//
// Across replications and workers: Tally.merge and Histogram.merge combine exactly
// (Histogram.toJSON/fromJSON carry a histogram between threads); summarize and
// pairedDifference turn one value per replication into a mean with a 95 % interval.

export { Counter } from './counter.js';
export { Tally } from './tally.js';
export { TimeWeighted } from './time-weighted.js';
export { Histogram, type HistogramJson } from './histogram.js';
export { summarize, pairedDifference, type Summary, type PairedDifference, type Support } from './summary.js';
export { studentTQuantile, studentTCdf } from './student-t.js';
