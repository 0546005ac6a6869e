// A pod's connection to a name outside the cluster: egress through its node (a conntrack entry for
// the masqueraded flow, and the SNAT port-allocation race, snat.ts), a connect round trip and a
// request round trip at the upstream's distance, with no Service dispatch. Leaves out the remote
// server's own queueing and any egress gateway or NAT gateway on the way.

import type { Simulator } from '../engine/simulator.js';
import type { Histogram } from '../engine/stats/index.js';
import { nextSynAt, type ConnectionSetup } from './connection-setup.js';
import type { Outcome, Request, TcpConstants } from './parts.js';
import type { SnatRace } from './snat.js';

interface ExternalConnectionsOptions {
  sim: Simulator;
  setup: ConnectionSetup;
  tcp: TcpConstants;
  /** The masquerade race, or null (eBPF masquerading). */
  snat: SnatRace | null;
  /** Services: the external names' port-space destinations come past their indices. */
  services: number;
  /** One round trip to the external server (the upstream resolver's distance). */
  roundTrip: () => number;
  requestDuration: Histogram;
  finish: (request: Request, outcome: Outcome) => void;
}

export class ExternalConnections {
  constructor(private readonly o: ExternalConnectionsOptions) {}

  /**
   * A connection to a name outside the cluster: egress through the node (a conntrack entry for the
   * masqueraded flow), a connect round trip and a request round trip to a server whose distance is
   * the upstream resolver's (DNS upstream latency), with no Service dispatch.
   */
  connect(request: Request): void {
    // Its own destination for the client's ports: past the Services' indices.
    if (!this.o.setup.takePort(request, this.o.services + request.externalIndex)) return;
    const flows = request.node.flows;
    const admitted = request.reopenTuple ? flows.tcpReopen(this.o.sim.now) : flows.tcpOpen(this.o.sim.now);
    request.reopenTuple = false;
    if (!admitted) {
      this.o.setup.releasePort(request, false);
      this.o.finish(request, 'timeout');
      return;
    }
    this.syn(request);
  }

  /** The SYN leaves through the node's MASQUERADE: a lost port-allocation race drops it (snat.ts). */
  private readonly syn = (request: Request): void => {
    const now = this.o.sim.now;
    if (request.finished) {
      // A closed-loop client gave up while its SYN waited for a retransmission.
      request.node.flows.tcpAbandon(now, request.lastSynAt);
      this.o.setup.releasePort(request, false);
      return;
    }
    request.synAttempts++;
    request.lastSynAt = now;
    if (this.o.snat !== null && this.o.snat.collides(request.node.index, request.externalIndex, now)) {
      request.node.flows.insertFailed.add();
      const next = nextSynAt(request, this.o.tcp);
      if (next === 'deadline') {
        this.o.sim.at(Math.max(now, request.startedAt + request.workload.deadlineSeconds), this.gaveUp, request);
      } else {
        this.o.sim.at(next, request.synAttempts > this.o.tcp.synRetries ? this.gaveUp : this.syn, request);
      }
      return;
    }
    this.o.sim.schedule(2 * this.o.roundTrip(), this.done, request);
  };

  /** The SYN retries are spent (timeout) or the client's deadline came first. */
  private readonly gaveUp = (request: Request): void => {
    request.node.flows.tcpAbandon(this.o.sim.now, request.lastSynAt);
    this.o.setup.releasePort(request, false);
    if (request.finished) return;
    const late = !request.workload.closedLoop && this.o.sim.now >= request.startedAt + request.workload.deadlineSeconds;
    this.o.finish(request, late ? 'deadline_exceeded' : 'timeout');
  };

  private readonly done = (request: Request): void => {
    const now = this.o.sim.now;
    request.node.flows.tcpEstablished(now);
    request.node.flows.tcpClose(now);
    this.o.setup.releasePort(request, true);
    if (request.finished) return;
    const elapsed = now - request.startedAt;
    if (elapsed > request.workload.deadlineSeconds) {
      this.o.finish(request, 'deadline_exceeded');
      return;
    }
    this.o.requestDuration.add(elapsed);
    this.o.finish(request, 'ok');
  };
}
