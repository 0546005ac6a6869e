// A headless Service's clients: which pod IP a connection goes to. The lookup's answer lists the
// endpoints ready when CoreDNS made it, up to its cache's TTL ago (uniform: a name asked often
// enough to be cached again as soon as it expires), and the client takes one of them at random
// (loadbalance shuffles the list; the client connects to the first). A TTL-respecting client keeps
// that pick while its cache holds the answer. The connection itself (no proxy dispatch, only the
// NAT rules' walk without a match; a pod gone since the answer fails it) is network.ts's.
// docs/architecture.md, "Headless and ExternalName Services".

import type { RandomStream } from '../engine/random.js';
import type { EndpointChoice, EndpointPicker } from './endpoints.js';
import type { Request } from './parts.js';

export class HeadlessAnswers {
  /** The endpoint a TTL-respecting client took from its cached answer, by (client pod, Service). */
  private readonly picks = new Map<string, EndpointChoice & { until: number }>();

  constructor(
    private readonly endpoints: EndpointPicker,
    private readonly rng: RandomStream,
  ) {}

  /** The endpoint `request` connects to at `now`, or null for an answer with no address; `cachedUntil` is the client's cache expiry of the answer. */
  pick(request: Request, now: number, cachedUntil: number | undefined): EndpointChoice | null {
    const workload = request.workload;
    const key = `${request.clientPod}/${request.service}`;
    const pin = workload.clientCacheTtlSeconds > 0 ? this.picks.get(key) : undefined;
    if (pin !== undefined && pin.until > now) return pin;
    const asOf = now - this.rng.next() * workload.headless!.answerMaxAgeSeconds;
    const choice = this.endpoints.pickAnsweredEndpoint(request.service, asOf, this.rng);
    if (choice === null) return null;
    const fresh = { until: cachedUntil ?? now, endpoint: choice.endpoint, slot: choice.slot, pod: choice.pod, index: choice.index };
    if (workload.clientCacheTtlSeconds > 0) this.picks.set(key, fresh);
    return fresh;
  }
}
