// An ingress proxy hop: external clients reach the controller's pods (an Ingress controller, or a
// Gateway API implementation: the same mechanism), which terminate the client's connection (and
// TLS), queue each request on their own cores, and forward it to the backend Service over a
// kept-alive upstream connection or a new one, to the ClusterIP (the node's proxy dispatches it)
// or straight to a Pod IP, as the controllers do by default. Profiles in models/profiles/ingress.yaml;
// Envoy's CPU per request is mesh.yaml's (one sourced figure for Envoy, sidecar or edge).
// Leaves out: HTTP/2 and multiplexing on either side, the controller's reloads and its control
// plane, retries, rate limits, the load balancer's own choice among the controller's nodes (it
// picks a replica uniformly per client connection, as a Local-policy LoadBalancer with one replica
// per node would), a CPU limit on the controller (its cores are its own: requests = limits).
// docs/architecture.md, "Ingress and Gateway API".

import { z } from 'zod';
import type { RandomStream } from '../engine/random.js';
import { Server } from '../engine/server.js';
import type { Simulator } from '../engine/simulator.js';
import { Counter, Histogram } from '../engine/stats/index.js';
import type { Cluster } from './cluster.js';
import { loadMesh } from './mesh.js';
import type { DetailedNode, Request } from './parts.js';
import { loadProfile, type ConstantRecord } from './profiles/load.js';
import { duration, positiveDuration, share } from './units.js';

const INGRESS_CONTROLLERS = ['nginx', 'haproxy', 'envoy'] as const;
const GATEWAY_CONTROLLERS = ['envoy-gateway', 'istio'] as const;

/** The `ingress` key of a point's settings. */
export const ingressSettings = z
  .object({
    /** Which API routes to the backends: Ingress objects, or a Gateway with HTTPRoutes; unset: the controller's (Gateway for envoy-gateway and istio). */
    api: z.enum(['Ingress', 'Gateway']).optional(),
    /** nginx (ingress-nginx), haproxy (OpenShift's router, HAProxy ingress controllers), envoy (Contour) for Ingress; envoy-gateway, istio for Gateway. */
    controller: z.enum([...INGRESS_CONTROLLERS, ...GATEWAY_CONTROLLERS]),
    /** Controller pods, placed one per node from the last node down. */
    replicas: z.number().int().min(1).prefault(2),
    /** Cores of each controller pod (its workers): its own, not shared with the node's other work. */
    cpu: z.number().int().min(1).prefault(2),
    /** Where the controller sends: a Pod IP (endpoints) or the Service's ClusterIP (service); unset: the controller's default. */
    upstream: z.enum(['endpoints', 'service']).optional(),
    /** Upstream keep-alive: idle connections kept per (controller pod, Service), requests per connection, idle timeout; unset: the controller's defaults. */
    keepAlive: z
      .object({ connections: z.number().int().min(0).optional(), requests: z.number().int().min(1).optional(), idle: positiveDuration().optional() })
      .strict()
      .optional(),
    /** TLS termination of the client's connections; sessionResumption: share of new client connections that resume a session. */
    tls: z.object({ enabled: z.boolean().prefault(false), sessionResumption: share().prefault(0) }).strict().prefault({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    const gateway = isGateway(s.controller);
    if (s.api === 'Ingress' && gateway) ctx.addIssue({ code: 'custom', path: ['controller'], message: `${s.controller} implements the Gateway API: set api: Gateway (Ingress controllers: ${INGRESS_CONTROLLERS.join(', ')})` });
    if (s.api === 'Gateway' && !gateway) ctx.addIssue({ code: 'custom', path: ['controller'], message: `${s.controller} is an Ingress controller: set api: Ingress (Gateway implementations: ${GATEWAY_CONTROLLERS.join(', ')})` });
  })
  .transform((s) => ({ ...s, api: s.api ?? (isGateway(s.controller) ? ('Gateway' as const) : ('Ingress' as const)) }));
export type IngressSettings = z.output<typeof ingressSettings>;

function isGateway(controller: string): boolean {
  return (GATEWAY_CONTROLLERS as readonly string[]).includes(controller);
}

const limit = (min: number) => z.union([z.number().int().min(min), z.literal('unlimited')]);
const dataPlane = z.object({ upstream: z.enum(['endpoints', 'service']), keepAliveConnections: limit(0), keepAliveRequests: limit(1), keepAliveIdle: positiveDuration() }).strict();
const ingressProfileSchema = z
  .object({
    nginx: dataPlane.extend({ cpuPerRequest: duration() }).strict(),
    haproxy: dataPlane.extend({ cpuPerRequest: duration() }).strict(),
    envoy: dataPlane,
    tls: z.object({ fullHandshake: duration(), resumedHandshake: duration() }).strict(),
  })
  .strict();

/** What the ingress hop does, resolved from the settings and the profiles. */
export interface IngressConfig {
  replicas: number;
  cores: number;
  /** Proxy CPU seconds per request (both directions). */
  cpuPerRequestSeconds: number;
  /** The kernel's CPU per new connection (kernel.yaml tcp.connectionSetup), on the pod's cores for each client connection it accepts. */
  acceptSeconds: number;
  /** Connect to a Pod IP (true) or to the ClusterIP (false). */
  direct: boolean;
  keepAlive: { connections: number; maxRequests: number; idleSeconds: number };
  tls: { enabled: boolean; resumedShare: number; fullSeconds: number; resumedSeconds: number };
  constants: ConstantRecord[];
}

/**
 * The ingress hop of `settings`, with `overrides` of ingress.yaml and mesh.yaml (Envoy's CPU);
 * `connectionSetupSeconds` is the kernel's per-connection CPU (the node's, hardware-scaled).
 */
export function ingressConfig(settings: IngressSettings, overrides: { ingress?: unknown; mesh?: unknown }, connectionSetupSeconds: number): IngressConfig {
  const loaded = loadProfile('ingress', ingressProfileSchema, overrides.ingress);
  const plane = settings.controller === 'nginx' || settings.controller === 'haproxy' ? settings.controller : 'envoy';
  const profile = loaded.values[plane];
  const constants = loaded.constants.filter((c) => c.path.startsWith(`${plane}.`) || (settings.tls.enabled && c.path.startsWith('tls.'))).map((c) => ({ ...c, path: `ingress.${c.path}` }));
  let cpu: number;
  if (plane !== 'envoy') cpu = loaded.values[plane].cpuPerRequest;
  else {
    const envoy = loadMesh('istio', overrides.mesh);
    cpu = envoy.cpuPerRequestSeconds;
    constants.push(...envoy.constants.filter((c) => c.path === 'istio.cpuPerRequest').map((c) => ({ ...c, path: `mesh.${c.path}` })));
  }
  const requests = settings.keepAlive?.requests ?? profile.keepAliveRequests;
  const connections = settings.keepAlive?.connections ?? profile.keepAliveConnections;
  return {
    replicas: settings.replicas,
    cores: settings.cpu,
    cpuPerRequestSeconds: cpu,
    acceptSeconds: connectionSetupSeconds,
    direct: (settings.upstream ?? profile.upstream) === 'endpoints',
    keepAlive: {
      connections: connections === 'unlimited' ? Infinity : connections,
      maxRequests: requests === 'unlimited' ? Infinity : requests,
      idleSeconds: settings.keepAlive?.idle ?? profile.keepAliveIdle,
    },
    tls: { enabled: settings.tls.enabled, resumedShare: settings.tls.sessionResumption, fullSeconds: loaded.values.tls.fullHandshake, resumedSeconds: loaded.values.tls.resumedHandshake },
    constants,
  };
}

/** One controller pod: its id (a pod index, its upstream connections' client), node and cores. */
interface Replica {
  pod: number;
  node: DetailedNode;
  cpu: Server;
}

/** An external client's connection to the controller, as the ingress tracks it. */
interface ClientConnection {
  replica: number;
  requests: number;
  lastAt: number;
}

/** What the ingress hop counted (models/metrics.ts turns it into ingress_* keys). */
export interface IngressStats {
  requests: Counter;
  /** From a request's arrival at a controller pod to its forwarding: queueing and processing. */
  duration: Histogram;
  clientConnections: Counter;
  upstreamOpened: Counter;
  upstreamReused: Counter;
  readonly replicas: readonly Replica[];
}

/**
 * The controller's pods. `arrive` takes an external client's request to a pod (after the client's
 * handshakes on a new connection), queues it on the pod's cores, then hands it to `forward` with
 * request.node and request.clientPod set to the pod's: the network sends it upstream from there.
 */
export class IngressRuntime {
  readonly stats: IngressStats;
  readonly config: IngressConfig;
  private readonly replicas: Replica[] = [];
  private readonly clients = new Map<number, ClientConnection>();

  constructor(
    private readonly sim: Simulator,
    config: IngressConfig,
    cluster: Cluster,
    nodes: DetailedNode[],
    private readonly rng: RandomStream,
    private readonly forward: (request: Request) => void,
  ) {
    this.config = config;
    // The last pods of the cluster, so that they land on different nodes (pod p is on node p mod N).
    for (let r = 0; r < config.replicas; r++) {
      const pod = cluster.totalPods - 1 - r;
      this.replicas.push({ pod, node: nodes[cluster.nodeOf(pod)], cpu: new Server(sim, { servers: config.cores }) });
    }
    this.stats = { requests: new Counter(), duration: new Histogram(), clientConnections: new Counter(), upstreamOpened: new Counter(), upstreamReused: new Counter(), replicas: this.replicas };
  }

  /** An external client sends a request: over its open connection to a pod, or a new one (TCP and, with TLS, a TLS 1.3 round trip first). */
  arrive(request: Request): void {
    const now = this.sim.now;
    const oneWay = request.externalSeconds;
    const keepAlive = request.workload.keepAlive;
    let client = this.clients.get(request.clientPod);
    const fresh = client === undefined || keepAlive === null || client.requests >= keepAlive.maxRequests || now - client.lastAt > keepAlive.idleSeconds;
    let cpu = this.config.cpuPerRequestSeconds;
    let wait = oneWay;
    if (fresh) {
      // The pod's own threads accept the connection and, in the end, close it.
      cpu += this.config.acceptSeconds;
      client = { replica: Math.floor(this.rng.next() * this.replicas.length), requests: 0, lastAt: now };
      if (keepAlive !== null) this.clients.set(request.clientPod, client);
      this.stats.clientConnections.add();
      wait += 2 * oneWay;
      const tls = this.config.tls;
      if (tls.enabled) {
        wait += 2 * oneWay;
        cpu += this.rng.next() < tls.resumedShare ? tls.resumedSeconds : tls.fullSeconds;
      }
    }
    client!.requests++;
    client!.lastAt = now;
    request.ingressClient = request.clientPod;
    request.ingressReplica = client!.replica;
    request.ingressCpuSeconds = cpu;
    request.ingressReturnSeconds = oneWay;
    this.sim.schedule(wait, this.reached, request);
  }

  private readonly reached = (request: Request): void => {
    request.ingressArrivedAt = this.sim.now;
    this.stats.requests.add();
    this.replicas[request.ingressReplica].cpu.serve(request.ingressCpuSeconds, this.processed, request);
  };

  private readonly processed = (request: Request): void => {
    this.stats.duration.add(this.sim.now - request.ingressArrivedAt);
    const replica = this.replicas[request.ingressReplica];
    request.node = replica.node;
    request.clientPod = replica.pod;
    request.externalSeconds = 0;
    request.viaIngress = true;
    this.forward(request);
  };

  resetStatistics(): void {
    const s = this.stats;
    for (const counter of [s.requests, s.clientConnections, s.upstreamOpened, s.upstreamReused]) counter.reset();
    s.duration.reset();
    for (const replica of this.replicas) replica.cpu.resetStatistics();
  }
}
