// A service mesh's sidecars: on a meshed hop, the client's sidecar and the server's sidecar add
// latency and each spends CPU per request and holds memory. Profiles in models/profiles/mesh.yaml.
// Leaves out: connection pooling inside the proxies, mTLS handshakes on new connections, retries,
// L7 routing, and ambient (sidecar-less) modes.
//
//   mesh      added latency, one hop (both sidecars)    CPU per request   memory
//             p50        p90        p99                 per sidecar       per sidecar
//   none      0          0          0                   0                 0
//   istio     0.164 ms   0.2647 ms  0.3903 ms           200 µs (1.24)     60 MB (1.24)
//   linkerd   0.058 ms   0.0934 ms  0.1378 ms           107 µs            26.3 MB
//
// These are the sidecars' own percentiles, a lognormal (sigma 0.372) through p90 and p99. istio.io
// publishes differences of request-latency percentiles (1.20: p90 with sidecars − p90 without =
// +0.228 ms, p99 +0.298 ms), which on a path with its own spread come out lower than the added
// latency's own, the more so in the tail: calibration/calibrate-mesh.ts fits Istio's p90 and p99 so
// that simulate()'s differences on the validation test bed match the published ones
// (experiments/validation/istio-1-20-performance.yaml). Linkerd's are Istio's × 6/17 (mesh.yaml).
// The request path (network.ts) draws a hop's added latency once per request, half on the way
// there and half back, and spends the sidecars' CPU on the nodes off the request's path: the
// published latency already holds the proxies' processing time.

import { z } from 'zod';
import { deterministic, lognormal, standardNormalQuantile, type Distribution } from '../engine/distributions.js';
import { loadProfile, type ConstantRecord } from './profiles/load.js';
import { duration, size } from './units.js';

export const meshName = z.enum(['none', 'istio', 'linkerd']);
export type MeshName = z.infer<typeof meshName>;

const meshSchema = z.object({
  addedLatencyP90: duration(),
  addedLatencyP99: duration(),
  cpuPerRequest: duration(),
  memoryPerSidecar: size(),
});

const meshShapes = Object.fromEntries(meshName.options.map((name) => [name, meshSchema])) as Record<MeshName, typeof meshSchema>;
const meshFileSchema = z.object(meshShapes);

export interface Mesh {
  readonly name: MeshName;
  /** Latency both sidecars of one hop add to a request (the same object on every call). */
  addedLatency(): Distribution;
  /** CPU seconds one sidecar spends per request passing through it. */
  readonly cpuPerRequestSeconds: number;
  readonly memoryBytesPerSidecar: number;
  /** The profile constants used (<name>.*), with sources, for reports. */
  readonly constants: ConstantRecord[];
}

const Z90 = standardNormalQuantile(0.9);
const Z99 = standardNormalQuantile(0.99);

/** The lognormal whose 90th and 99th percentiles are p90 and p99; a constant when they are equal. */
function fromP90P99(where: string, p90: number, p99: number): Distribution {
  if (p99 < p90) throw new RangeError(`${where}: addedLatencyP99 (${p99}) must be >= addedLatencyP90 (${p90})`);
  if (p90 === p99) return deterministic(p90);
  if (p90 === 0) throw new RangeError(`${where}: addedLatencyP90 must be > 0 when addedLatencyP99 is`);
  const sigma = Math.log(p99 / p90) / (Z99 - Z90);
  return lognormal(Math.log(p90) - Z90 * sigma, sigma);
}

/** The mesh `name`. `overrides` is a partial tree of mesh.yaml, e.g. `{ istio: { cpuPerRequest: '500us' } }`. */
export function loadMesh(name: MeshName, overrides?: unknown): Mesh {
  const checked = meshName.parse(name);
  const loaded = loadProfile('mesh', meshFileSchema, overrides);
  const profile = loaded.values[checked];
  const latency = fromP90P99(`mesh ${checked}`, profile.addedLatencyP90, profile.addedLatencyP99);
  return {
    name: checked,
    addedLatency: () => latency,
    cpuPerRequestSeconds: profile.cpuPerRequest,
    memoryBytesPerSidecar: profile.memoryPerSidecar,
    constants: loaded.constants.filter((c) => c.path.startsWith(`${checked}.`)),
  };
}
