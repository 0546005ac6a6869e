// Which names a lookup tries: the query name a workload's request uses (a Service by its name
// form, or an external name), its client pod's resolv.conf (one per namespace, kept), and the
// resolver's walk of the search path (resolver.ts) against the one name that exists.

import type { Cluster } from '../cluster.js';
import { externalName, serviceFqdn, serviceQueryName, type NameForm } from './names.js';
import { existsOnly, planLookup, planRawQuery, podResolvConf, type LibraryBehaviour, type LookupPlan, type ResolvConf } from './resolver.js';
import { typeCount } from './questions.js';
import type { DnsSettings } from './settings.js';

/** A raw query's types (questions.ts mask) and how long the client waits for its answer. */
export interface RawQuery {
  asked: number;
  timeoutSeconds: number;
  /** The long-lived socket it leaves from (sticky-sockets.ts); unset: a socket of its own. */
  socket?: number;
}

export class LookupPlanner {
  private readonly confs = new Map<string, ResolvConf>();
  /** Lookups started with options rotate, for the nameserver each starts at. */
  private rotations = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly settings: DnsSettings,
    private readonly library: LibraryBehaviour,
    private readonly clusterDomain: string,
  ) {}

  /**
   * The nameserver a lookup's retry schedule starts at: with options rotate, glibc and Go start at
   * the next one each time, so the waits (glibc's grow with the nameserver's index) follow it.
   */
  firstNameserver(conf: ResolvConf): number {
    return conf.rotate && this.library.rotates && conf.nameservers > 1 ? this.rotations++ % conf.nameservers : 0;
  }

  /** The names a workload's request tries, and its pod's resolv.conf; with `raw`, the one raw query of the name as written. */
  plan(form: NameForm, service: number, clientPod: number, externalIndex: number, raw?: RawQuery): { plan: LookupPlan; conf: ResolvConf } {
    const namespaces = this.cluster.settings.namespaces;
    const serviceNs = `ns-${service % namespaces}`;
    const svc = this.cluster.serviceName(service);
    let name: string;
    let fqdn: string;
    let clientNs: string;
    if (typeof form === 'string') {
      name = serviceQueryName(form, svc, serviceNs, this.clusterDomain);
      fqdn = serviceFqdn(svc, serviceNs, this.clusterDomain);
      // A short name only resolves from the Service's own namespace: that is what `short` means.
      clientNs = form === 'short' ? serviceNs : `ns-${clientPod % namespaces}`;
    } else {
      const external = form.external;
      name = typeof external === 'string' ? external : externalName(externalIndex, external.dots);
      fqdn = name.endsWith('.') ? name.slice(0, -1) : name;
      clientNs = `ns-${clientPod % namespaces}`;
    }
    if (raw !== undefined) return { plan: planRawQuery(name, existsOnly(fqdn, true), raw.asked, typeCount(raw.asked)), conf: this.rawConf(raw.timeoutSeconds) };
    let conf = this.confs.get(clientNs);
    if (conf === undefined) {
      conf = podResolvConf(clientNs, this.settings.resolver, this.clusterDomain);
      this.confs.set(clientNs, conf);
    }
    const plan = planLookup(name, conf, this.library, existsOnly(fqdn, true), { autopath: this.settings.coredns.autopath && !this.settings.nodeLocal.enabled });
    return { plan, conf };
  }

  /** A raw query's sender: one try, one nameserver, its own timeout (dnsperf -t; dig +tries=1). */
  private rawConf(timeoutSeconds: number): ResolvConf {
    const key = `raw/${timeoutSeconds}`;
    let conf = this.confs.get(key);
    if (conf === undefined) {
      conf = { search: [], ndots: 1, options: 'none', nameservers: 1, timeoutSeconds, attempts: 1, rotate: false };
      this.confs.set(key, conf);
    }
    return conf;
  }
}
