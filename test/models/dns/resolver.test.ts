import { describe, it, expect } from 'vitest';
import { externalName, serviceFqdn, serviceQueryName } from '../../../models/dns/names.js';
import {
  countLookup,
  existsOnly,
  pairMode,
  planLookup,
  podResolvConf,
  raceExposed,
  retrySchedule,
  type Existence,
  type LibraryBehaviour,
  type RequestOption,
} from '../../../models/dns/resolver.js';
import { loadDnsProfile } from '../../../models/dns/settings.js';

const profile = loadDnsProfile().values;
const glibc: LibraryBehaviour = profile.libraries.glibc;
const musl: LibraryBehaviour = profile.libraries.musl;
const go: LibraryBehaviour = profile.libraries.go;

const NODE_DOMAINS = [[], ['ec2.internal'], ['ec2.internal', 'corp.example']];
const TARGET = serviceFqdn('svc-3', 'ns-1'); // the client pod runs in ns-1 too

function conf(ndots: number, k: number, options: RequestOption = 'none', nameservers = 1) {
  return podResolvConf('ns-1', { ndots, nodeSearchDomains: NODE_DOMAINS[k], options, timeout: 5, attempts: 2, rotate: false, nameservers }, 'cluster.local');
}

const NAMES: Record<string, { name: string; exists: Existence }> = {
  short: { name: serviceQueryName('short', 'svc-3', 'ns-1'), exists: existsOnly(TARGET) },
  namespaced: { name: serviceQueryName('namespaced', 'svc-3', 'ns-1'), exists: existsOnly(TARGET) },
  fqdn: { name: serviceQueryName('fqdn', 'svc-3', 'ns-1'), exists: existsOnly(TARGET) },
  'fqdn-dot': { name: serviceQueryName('fqdn-dot', 'svc-3', 'ns-1'), exists: existsOnly(TARGET) },
  'external api.example.com': { name: 'api.example.com', exists: existsOnly('api.example.com') },
  'external population, 1 dot': { name: externalName(0, 1), exists: existsOnly(externalName(0, 1)) },
};

// glibc's rules (resolv.conf(5), res_query.c __res_context_search), applied by hand. The pod's
// search list is ns-1.svc.cluster.local svc.cluster.local cluster.local + k node domains, so
// S = 3 + k suffixes. Only svc-3.ns-1.svc.cluster.local and the external names exist.
//   short "svc-3" (0 dots < ndots): suffix 1 gives svc-3.ns-1.svc.cluster.local -> 1 candidate.
//   namespaced "svc-3.ns-1" (1 dot): ndots 1 -> as is first (NXDOMAIN upstream), then
//     svc-3.ns-1.ns-1.svc.cluster.local (NX), svc-3.ns-1.svc.cluster.local (found) -> 3, 2 NX;
//     ndots 2, 5 -> suffixes first: NX, found -> 2, 1 NX.
//   fqdn (4 dots): ndots 1, 2 -> as is, found -> 1; ndots 5 -> all S suffixes NX, then as is -> S+1, S NX.
//   fqdn-dot: trailing dot, as is only -> 1.
//   api.example.com (2 dots): ndots 1, 2 -> as is -> 1; ndots 5 -> S NX then as is -> S+1.
//   host-0.com (1 dot): ndots 1 -> 1; ndots 2, 5 -> S+1, S NX.
// Columns: candidates tried, queries (A + AAAA per candidate), NXDOMAIN replies (2 per NX
// candidate), round trips in parallel (1 per candidate) and sequential (2 per candidate).
const TABLE: Array<[string, number, number, number, number, number, number, number]> = [
  // form                          ndots k  tried queries nx  rtPar rtSeq
  ['short', 1, 0, 1, 2, 0, 1, 2],
  ['short', 1, 1, 1, 2, 0, 1, 2],
  ['short', 1, 2, 1, 2, 0, 1, 2],
  ['short', 2, 0, 1, 2, 0, 1, 2],
  ['short', 2, 1, 1, 2, 0, 1, 2],
  ['short', 2, 2, 1, 2, 0, 1, 2],
  ['short', 5, 0, 1, 2, 0, 1, 2],
  ['short', 5, 1, 1, 2, 0, 1, 2],
  ['short', 5, 2, 1, 2, 0, 1, 2],
  ['namespaced', 1, 0, 3, 6, 4, 3, 6],
  ['namespaced', 1, 1, 3, 6, 4, 3, 6],
  ['namespaced', 1, 2, 3, 6, 4, 3, 6],
  ['namespaced', 2, 0, 2, 4, 2, 2, 4],
  ['namespaced', 2, 1, 2, 4, 2, 2, 4],
  ['namespaced', 2, 2, 2, 4, 2, 2, 4],
  ['namespaced', 5, 0, 2, 4, 2, 2, 4],
  ['namespaced', 5, 1, 2, 4, 2, 2, 4],
  ['namespaced', 5, 2, 2, 4, 2, 2, 4],
  ['fqdn', 1, 0, 1, 2, 0, 1, 2],
  ['fqdn', 1, 1, 1, 2, 0, 1, 2],
  ['fqdn', 1, 2, 1, 2, 0, 1, 2],
  ['fqdn', 2, 0, 1, 2, 0, 1, 2],
  ['fqdn', 2, 1, 1, 2, 0, 1, 2],
  ['fqdn', 2, 2, 1, 2, 0, 1, 2],
  ['fqdn', 5, 0, 4, 8, 6, 4, 8],
  ['fqdn', 5, 1, 5, 10, 8, 5, 10],
  ['fqdn', 5, 2, 6, 12, 10, 6, 12],
  ['fqdn-dot', 1, 0, 1, 2, 0, 1, 2],
  ['fqdn-dot', 1, 1, 1, 2, 0, 1, 2],
  ['fqdn-dot', 1, 2, 1, 2, 0, 1, 2],
  ['fqdn-dot', 2, 0, 1, 2, 0, 1, 2],
  ['fqdn-dot', 2, 1, 1, 2, 0, 1, 2],
  ['fqdn-dot', 2, 2, 1, 2, 0, 1, 2],
  ['fqdn-dot', 5, 0, 1, 2, 0, 1, 2],
  ['fqdn-dot', 5, 1, 1, 2, 0, 1, 2],
  ['fqdn-dot', 5, 2, 1, 2, 0, 1, 2],
  ['external api.example.com', 1, 0, 1, 2, 0, 1, 2],
  ['external api.example.com', 1, 1, 1, 2, 0, 1, 2],
  ['external api.example.com', 1, 2, 1, 2, 0, 1, 2],
  ['external api.example.com', 2, 0, 1, 2, 0, 1, 2],
  ['external api.example.com', 2, 1, 1, 2, 0, 1, 2],
  ['external api.example.com', 2, 2, 1, 2, 0, 1, 2],
  ['external api.example.com', 5, 0, 4, 8, 6, 4, 8],
  ['external api.example.com', 5, 1, 5, 10, 8, 5, 10],
  ['external api.example.com', 5, 2, 6, 12, 10, 6, 12],
  ['external population, 1 dot', 1, 0, 1, 2, 0, 1, 2],
  ['external population, 1 dot', 1, 1, 1, 2, 0, 1, 2],
  ['external population, 1 dot', 1, 2, 1, 2, 0, 1, 2],
  ['external population, 1 dot', 2, 0, 4, 8, 6, 4, 8],
  ['external population, 1 dot', 2, 1, 5, 10, 8, 5, 10],
  ['external population, 1 dot', 2, 2, 6, 12, 10, 6, 12],
  ['external population, 1 dot', 5, 0, 4, 8, 6, 4, 8],
  ['external population, 1 dot', 5, 1, 5, 10, 8, 5, 10],
  ['external population, 1 dot', 5, 2, 6, 12, 10, 6, 12],
];

describe('glibc query counting', () => {
  it.each(TABLE)('%s with ndots %i and %i node domains', (form, ndots, k, tried, queries, nx, rtParallel, rtSequential) => {
    const { name, exists } = NAMES[form];
    for (const [options, roundTrips] of [['none', rtParallel], ['single-request', rtSequential], ['single-request-reopen', rtSequential]] as const) {
      const count = countLookup(planLookup(name, conf(ndots, k, options), glibc, exists));
      expect(count).toEqual({ candidatesTried: tried, queries, nxdomain: nx, nodata: 1, roundTrips, answered: true });
    }
  });

  it('tries the search list first below ndots and the name last', () => {
    const plan = planLookup('api.example.com', conf(5, 1), glibc, existsOnly('api.example.com'));
    expect(plan.candidates).toEqual([
      'api.example.com.ns-1.svc.cluster.local',
      'api.example.com.svc.cluster.local',
      'api.example.com.cluster.local',
      'api.example.com.ec2.internal',
      'api.example.com',
    ]);
    expect(plan.answerAt).toBe(4);
  });

  it('falls back to the search list after the name as is fails at or above ndots', () => {
    const plan = planLookup('svc-3.ns-1', conf(1, 0), glibc, existsOnly(TARGET));
    expect(plan.candidates.slice(0, 3)).toEqual(['svc-3.ns-1', 'svc-3.ns-1.ns-1.svc.cluster.local', 'svc-3.ns-1.svc.cluster.local']);
  });

  it('walks every candidate and fails when nothing exists: a short name from another namespace', () => {
    const count = countLookup(planLookup('svc-3', conf(5, 2), glibc, existsOnly(serviceFqdn('svc-3', 'ns-2'))));
    expect(count).toEqual({ candidatesTried: 6, queries: 12, nxdomain: 12, nodata: 0, roundTrips: 6, answered: false });
  });

  it('accepts a candidate whose A exists though its AAAA is NODATA, and moves on after NODATA for both', () => {
    const exists: Existence = (c) => (c === 'db.svc.cluster.local' ? 'nodata' : c === 'db.cluster.local' ? 'a-only' : 'nxdomain');
    const plan = planLookup('db', conf(5, 0), glibc, exists);
    expect(plan.answerAt).toBe(2);
    expect(countLookup(plan)).toMatchObject({ candidatesTried: 3, nxdomain: 2, nodata: 3 });
  });
});

describe('musl', () => {
  it('never searches at or above ndots: "svc-3.ns-1" with ndots 1 fails after one candidate', () => {
    const count = countLookup(planLookup('svc-3.ns-1', conf(1, 2), musl, existsOnly(TARGET)));
    expect(count).toEqual({ candidatesTried: 1, queries: 2, nxdomain: 2, nodata: 0, roundTrips: 1, answered: false });
  });

  it('searches below ndots in glibc order', () => {
    const count = countLookup(planLookup('api.example.com', conf(5, 1), musl, existsOnly('api.example.com')));
    expect(count).toMatchObject({ candidatesTried: 5, queries: 10, nxdomain: 8, roundTrips: 5, answered: true });
  });

  it('stops the search at a NODATA reply', () => {
    const exists: Existence = (c) => (c === 'db.svc.cluster.local' ? 'nodata' : c === 'db.cluster.local' ? 'a-only' : 'nxdomain');
    const plan = planLookup('db', conf(5, 0), musl, exists);
    expect(plan.answerAt).toBe(-1);
    expect(plan.stopAt).toBe(1);
  });

  it('ignores single-request options and asks every nameserver at once', () => {
    expect(pairMode(musl, 'single-request')).toBe('parallel-same-socket');
    const count = countLookup(planLookup('svc-3', conf(5, 0, 'single-request-reopen', 2), musl, existsOnly(TARGET)));
    expect(count).toMatchObject({ queries: 4, roundTrips: 1 });
  });
});

describe('Go', () => {
  it('orders candidates as glibc does', () => {
    for (const [form, ndots, k, tried] of TABLE) {
      const { name, exists } = NAMES[form];
      expect(countLookup(planLookup(name, conf(ndots, k), go, exists)).candidatesTried).toBe(tried);
    }
  });

  it('sends the pair on separate sockets, sequentially with either single-request option', () => {
    expect(pairMode(go, 'none')).toBe('parallel-separate-sockets');
    expect(pairMode(go, 'single-request')).toBe('sequential-new-socket');
    expect(pairMode(go, 'single-request-reopen')).toBe('sequential-new-socket');
  });
});

describe('pair modes and the conntrack race', () => {
  it('exposes only a parallel pair on one socket', () => {
    expect(pairMode(glibc, 'none')).toBe('parallel-same-socket');
    expect(pairMode(glibc, 'single-request')).toBe('sequential-same-socket');
    expect(pairMode(glibc, 'single-request-reopen')).toBe('sequential-new-socket');
    expect(raceExposed(pairMode(glibc, 'none'))).toBe(true);
    expect(raceExposed(pairMode(musl, 'single-request-reopen'))).toBe(true);
    expect(raceExposed(pairMode(glibc, 'single-request'))).toBe(false);
    expect(raceExposed(pairMode(glibc, 'single-request-reopen'))).toBe(false);
    expect(raceExposed(pairMode(go, 'none'))).toBe(false);
  });
});

describe('autopath', () => {
  it('answers an external name on the first candidate in one round trip', () => {
    const plan = planLookup('api.example.com', conf(5, 1), glibc, existsOnly('api.example.com'), { autopath: true });
    expect(plan.autopathWalk).toBe(5);
    expect(countLookup(plan)).toMatchObject({ candidatesTried: 1, queries: 2, nxdomain: 0, roundTrips: 1, answered: true });
  });

  it('does not apply when the name is tried as is first', () => {
    const plan = planLookup('api.example.com', conf(2, 1), glibc, existsOnly('api.example.com'), { autopath: true });
    expect(plan.autopathWalk).toBe(0);
  });
});

describe('timeouts', () => {
  it('glibc waits the timeout per attempt with one nameserver', () => {
    expect(retrySchedule(conf(5, 0), glibc).map((t) => t.waitSeconds)).toEqual([5, 5]);
  });

  it('glibc scales the wait by nameserver index: (timeout << ns) / nscount', () => {
    // 3 nameservers, timeout 5: ns0 5 s, ns1 floor(10/3) = 3 s, ns2 floor(20/3) = 6 s, twice.
    expect(retrySchedule(conf(5, 0, 'none', 3), glibc).map((t) => [t.nameserver, t.waitSeconds])).toEqual([
      [0, 5], [1, 3], [2, 6], [0, 5], [1, 3], [2, 6],
    ]);
  });

  it('Go waits the full timeout per server per attempt', () => {
    expect(retrySchedule(conf(5, 0, 'none', 2), go, 1).map((t) => [t.nameserver, t.waitSeconds])).toEqual([[1, 5], [0, 5], [1, 5], [0, 5]]);
  });

  it('musl resends to every server each timeout/attempts', () => {
    expect(retrySchedule(conf(5, 0, 'none', 3), musl)).toEqual([{ nameserver: -1, waitSeconds: 2.5 }, { nameserver: -1, waitSeconds: 2.5 }]);
  });
});
