// The pooled ephemeral ports (port-pool.ts) against one PortSpace per (client, destination), the
// model they stand for: the same answer to every connect() (port or none, the previous close time
// of the tuple, the pod that served it), through clients that stay below their range and clients
// that reach it and are split by destination.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { EphemeralPorts } from '../../models/port-pool.js';
import { PortSpace, type PortConfig } from '../../models/ports.js';

interface Open {
  client: number;
  destination: number;
  record: number;
  space: PortSpace;
}

/**
 * Drives both with the same random schedule: connects from `clients` pods of one workload to
 * `destinations` destinations, each taken port later released after a handshake, abandoned, or
 * kept open a while. Returns the number of connect() answers compared and how many were reuses and
 * exhaustions (so a test can require the schedule to reach them). `firstId`: the first client's id
 * (external clients' ids lie far past every pod's).
 */
function compare(config: PortConfig, clients: number, destinations: number, steps: number, seed: number, firstId = 0) {
  const rng = new RandomStreams(seed, 0).stream('port-pool-test');
  const pool = new EphemeralPorts();
  const reference = new Map<string, PortSpace>();
  const open: Open[] = [];
  let now = 0;
  let reuses = 0;
  let exhausted = 0;
  for (let step = 0; step < steps; step++) {
    now += rng.next() * 0.5;
    if (open.length > 0 && rng.next() < 0.5) {
      const k = Math.floor(rng.next() * open.length);
      const conn = open[k];
      open[k] = open[open.length - 1];
      open.pop();
      const closed = rng.next() < 0.8;
      const pod = Math.floor(rng.next() * 3);
      conn.space.release(now, closed, pod);
      pool.release(conn.record, now, closed, pod);
      continue;
    }
    const client = Math.floor(rng.next() * clients);
    const destination = Math.floor(rng.next() * destinations);
    const key = `${client}/${destination}`;
    let space = reference.get(key);
    if (space === undefined) reference.set(key, (space = new PortSpace(config)));
    const expected = space.connect(now);
    const got = pool.connect(config, 0, firstId + client, destination, clients, now);
    expect(got).toEqual(expected);
    expect(pool.reusedPod).toBe(space.reusedPod);
    if (Number.isNaN(expected)) {
      exhausted++;
      expect(pool.taken).toBe(-1);
      continue;
    }
    if (expected !== -Infinity) reuses++;
    open.push({ client, destination, record: pool.taken, space });
  }
  return { reuses, exhausted };
}

describe('pooled ephemeral ports', () => {
  it('answer as one port space per destination while no client reaches its range', () => {
    const config: PortConfig = { ports: 1000, clientHoldSeconds: 60, conntrackTimeWaitSeconds: 120, ipvsDropSeconds: 0 };
    const { reuses, exhausted } = compare(config, 4, 50, 2000, 1);
    expect(reuses + exhausted).toBe(0);
  });

  it('answer the same once clients reach their range and are split by destination: reuses, conntrack reopens, exhaustion', () => {
    const config: PortConfig = { ports: 6, clientHoldSeconds: 2, conntrackTimeWaitSeconds: 5, ipvsDropSeconds: 0 };
    for (const [clients, destinations, seed, firstId] of [[3, 2, 2, 0], [2, 1, 4, 0], [3, 2, 5, 6_000_000]]) {
      const { reuses, exhausted } = compare(config, clients, destinations, 20000, seed, firstId);
      expect(reuses).toBeGreaterThan(100);
      expect(exhausted).toBeGreaterThan(100);
    }
  });

  it('answer the same when the server closes first (no client hold) and IPVS remembers the tuple', () => {
    const config: PortConfig = { ports: 4, clientHoldSeconds: 0, conntrackTimeWaitSeconds: 3, ipvsDropSeconds: 6 };
    const { reuses } = compare(config, 2, 3, 20000, 3);
    expect(reuses).toBeGreaterThan(100);
  });

  it('free a port at once when nothing remembers a closed connection', () => {
    const config: PortConfig = { ports: 1, clientHoldSeconds: 0, conntrackTimeWaitSeconds: 0, ipvsDropSeconds: 0 };
    const pool = new EphemeralPorts();
    for (let k = 0; k < 5; k++) {
      expect(pool.connect(config, 0, 0, 0, 1, k)).toBe(-Infinity);
      pool.release(pool.taken, k, true, 0);
    }
  });
});
