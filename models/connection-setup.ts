// A new connection's set-up, from connect() to the SYN-ACK: the client's ephemeral port
// (ports.ts), the SYN's conntrack entries on the client's node and, across nodes, the server's
// with its walk of that node's NAT rules (proxy-mode.ts arrivalCost), the handshake's one-way
// trips, SYN retransmission when a full table drops it, and the ends a set-up can have (refused, timed out, given up, no port). Leaves out SYN cookies and the
// server's accept queue; the request's path is docs/architecture.md, "The request's path".

import type { Simulator } from '../engine/simulator.js';
import type { EndpointPicker } from './endpoints.js';
import type { Connection, DataPath, DetailedNode, NetworkMetrics, NetworkStreams, Outcome, Request, TcpConstants } from './parts.js';
import { EphemeralPorts } from './port-pool.js';

export interface ConnectionSetupOptions {
  sim: Simulator;
  path: DataPath;
  tcp: TcpConstants;
  streams: NetworkStreams;
  endpoints: EndpointPicker;
  metrics: NetworkMetrics;
  /** Services, for the keep-alive pool key. */
  services: number;
  /** Pods in the cluster, for the port spaces' keys. */
  pods: number;
  /** CPU seconds a SYN from another node spends in the server node's NAT rules (iptables: all of KUBE-SERVICES). */
  arrivalSeconds: number;
  serverNode: (index: number) => DetailedNode;
  /** The handshake is done: the request proceeds on its new connection. */
  established: (request: Request) => void;
  finish: (request: Request, outcome: Outcome) => void;
}

/**
 * When a dropped SYN goes again: the initial RTO doubling with each attempt (RFC 6298 §5.5), or
 * 'deadline' when an open-loop client's deadline comes first.
 */
export function nextSynAt(request: Request, tcp: TcpConstants): number | 'deadline' {
  const nextAt = request.lastSynAt + tcp.initialRtoSeconds * 2 ** (request.synAttempts - 1);
  return !request.workload.closedLoop && nextAt > request.startedAt + request.workload.deadlineSeconds ? 'deadline' : nextAt;
}

export class ConnectionSetup {
  private readonly ports: EphemeralPorts;
  /** CPU seconds a new flow addressed to a pod spends in a node's NAT rules (options.arrivalSeconds). */
  readonly arrivalSeconds: number;

  constructor(private readonly o: ConnectionSetupOptions) {
    this.ports = new EphemeralPorts();
    this.arrivalSeconds = o.arrivalSeconds;
  }

  /** The client's CPU work is done: connect() takes a port and the SYN leaves (or is resent). */
  readonly sendSyn = (request: Request): void => {
    const now = this.o.sim.now;
    if (request.finished) {
      // A closed-loop client gave up at its deadline and closed the socket.
      this.releaseEntries(request, true);
      this.releasePort(request, false);
      return;
    }
    if (request.synAttempts === 0) {
      if (!this.takePort(request, request.service)) return;
      // The server's node sees the tuple after DNAT: the same one only if the same pod serves it.
      request.reopenServerTuple = request.reopenTuple && this.ports.reusedPod === request.servingPod;
      // connect_duration counts from the SYN's dispatch through the proxy's rules.
      request.connectStartedAt = now - request.dispatchSeconds;
    }
    request.synAttempts++;
    request.lastSynAt = now;
    if (!request.clientEntry) {
      const admitted = openFlow(request.node, request.reopenTuple, now);
      request.reopenTuple = false;
      if (!admitted) {
        this.retransmitLater(request);
        return;
      }
      request.clientEntry = true;
    }
    if (request.ipvsReuseDrop) {
      // IPVS expires the tuple's TIME_WAIT connection and drops this SYN; the next one passes.
      request.ipvsReuseDrop = false;
      this.o.metrics.ipvsReuseDrops.add();
      this.retransmitLater(request);
      return;
    }
    this.o.sim.schedule(this.oneWay(request), this.synArrives, request);
  };

  private readonly synArrives = (request: Request): void => {
    if (request.policyDenied) return this.retransmitLater(request); // dropped by the server side's policy
    const now = this.o.sim.now;
    if (this.o.endpoints.podGone(request.endpoint, request.slot, request.service, now)) {
      // The pod has stopped: its node answers with a reset, one way back.
      this.o.sim.schedule(this.oneWay(request), this.refusedArrives, request);
      return;
    }
    let walk = 0;
    if (request.kind !== 'same-node' && !request.serverEntry) {
      const node = this.o.serverNode(request.servingNode);
      const admitted = openFlow(node, request.reopenServerTuple, now);
      request.reopenServerTuple = false;
      if (!admitted) {
        this.retransmitLater(request);
        return;
      }
      request.serverEntry = true;
      // A new flow there: the SYN walks the proxy's NAT rules in the server node's softirq before
      // the pod answers (an off-path job on its CPU, and the handshake waits for it).
      walk = this.o.arrivalSeconds;
      if (walk > 0) {
        node.dispatchCpuSeconds += walk;
        node.cpu.serve(walk);
      }
    }
    this.o.sim.schedule(this.oneWay(request) + walk, this.synAckArrives, request);
  };

  private readonly refusedArrives = (request: Request): void => {
    if (request.clientEntry) request.node.flows.tcpRefused(this.o.sim.now);
    if (request.serverEntry) this.o.serverNode(request.servingNode).flows.tcpRefused(this.o.sim.now);
    request.clientEntry = false;
    request.serverEntry = false;
    this.releasePort(request, false);
    this.o.finish(request, 'refused');
  };

  private readonly synAckArrives = (request: Request): void => {
    const now = this.o.sim.now;
    request.node.flows.tcpEstablished(now);
    const serverFlows = request.serverEntry ? this.o.serverNode(request.servingNode).flows : null;
    if (serverFlows !== null) serverFlows.tcpEstablished(now);
    if (request.finished) {
      // The client gave up during the handshake and closes the new connection.
      request.node.flows.tcpClose(now);
      if (serverFlows !== null) serverFlows.tcpClose(now);
      this.releasePort(request, true);
      return;
    }
    this.o.metrics.connectDuration.add(now - request.connectStartedAt);
    const connection: Connection = {
      service: request.service,
      endpoint: request.endpoint,
      slot: request.slot,
      servingPod: request.servingPod,
      servingNode: request.servingNode,
      kind: request.kind,
      serverFlows,
      clientFlows: request.node.flows,
      requests: 0,
      idleHandle: -1,
      poolKey: request.clientPod * this.o.services + request.service,
      portRecord: request.portRecord,
      ingress: request.workload.external === null ? null : request.node,
    };
    request.portRecord = -1;
    request.connection = connection;
    this.o.established(request);
  };

  /** The SYN was dropped: retransmit after the doubling RTO, or give up. */
  private retransmitLater(request: Request): void {
    const sim = this.o.sim;
    const nextAt = nextSynAt(request, this.o.tcp);
    if (nextAt === 'deadline') {
      // The client gives up first (a closed-loop client's own deadline event does this).
      sim.at(Math.max(sim.now, request.startedAt + request.workload.deadlineSeconds), this.connectGaveUp, request);
      return;
    }
    // Next: another SYN, or, with the retries spent, connect() failing with ETIMEDOUT.
    sim.at(nextAt, request.synAttempts > this.o.tcp.synRetries ? this.connectTimedOut : this.sendSyn, request);
  }

  private readonly connectTimedOut = (request: Request): void => {
    this.releaseEntries(request, true);
    this.releasePort(request, false);
    this.o.finish(request, 'timeout');
  };

  private readonly connectGaveUp = (request: Request): void => {
    this.releaseEntries(request, true);
    this.releasePort(request, false);
    this.o.finish(request, 'deadline_exceeded');
  };

  /** Frees the conntrack entries of a connection that never got established. */
  private releaseEntries(request: Request, abandoned: boolean): void {
    const now = this.o.sim.now;
    if (request.clientEntry && abandoned) request.node.flows.tcpAbandon(now, request.lastSynAt);
    if (request.serverEntry && abandoned) this.o.serverNode(request.servingNode).flows.tcpAbandon(now, request.lastSynAt);
    request.clientEntry = false;
    request.serverEntry = false;
  }

  /**
   * connect() takes a port towards `destination` (a Service's index, or any number past them for
   * a name outside the cluster). False: none is free, and the request has ended as port_exhausted
   * (EADDRNOTAVAIL, before any packet leaves).
   */
  takePort(request: Request, destination: number): boolean {
    const now = this.o.sim.now;
    const config = request.workload.ports;
    const closedAt = this.ports.connect(config, request.workload.index, request.clientPod, destination, this.o.pods, now);
    if (Number.isNaN(closedAt)) {
      this.o.finish(request, 'port_exhausted');
      return false;
    }
    request.portRecord = this.ports.taken;
    // The tuple's previous connection may still have a conntrack entry and an IPVS entry.
    request.reopenTuple = now < closedAt + config.conntrackTimeWaitSeconds;
    request.ipvsReuseDrop = now < closedAt + config.ipvsDropSeconds;
    return true;
  }

  /** The connection ended without being handed on: its port goes back (closed: after a handshake). */
  releasePort(request: Request, closed: boolean): void {
    if (request.portRecord === -1) return;
    this.ports.release(request.portRecord, this.o.sim.now, closed, request.servingPod);
    request.portRecord = -1;
  }

  /** An established connection closed: its port goes into TIME_WAIT towards the pod that served it. */
  closePort(connection: Connection): void {
    if (connection.portRecord !== -1) this.ports.release(connection.portRecord, this.o.sim.now, true, connection.servingPod);
  }

  /** One way between the request's ends: the path between nodes, and an external client's distance to its node. */
  private oneWay(request: Request): number {
    return this.o.path.oneWayLatency(request.kind).sample(this.o.streams.latency) + request.externalSeconds;
  }
}

/** A SYN's conntrack entry on `node`: a new one, or the reopened TIME_WAIT entry of a reused tuple; false when the table drops it. */
function openFlow(node: DetailedNode, reopen: boolean, now: number): boolean {
  return reopen ? node.flows.tcpReopen(now) : node.flows.tcpOpen(now);
}
