// How a workload writes the name it looks up, and which names exist. A Service's only name is
// `<svc>.<ns>.svc.<cluster domain>` (the kubernetes plugin answers nothing else with an address);
// an external name exists only as itself. A headless Service's name answers pod IPs and an
// ExternalName Service's a CNAME (workload.ts `service`); the name forms are the same. Leaves out pod records.

import { z } from 'zod';

/** A population of external names: `names` hosts, each with `dots` dots, drawn by Zipf(`zipf`). */
const externalPopulation = z
  .object({
    names: z.number().int().min(1).prefault(1000),
    dots: z.number().int().min(1).max(10).prefault(2),
    zipf: z.number().min(0).prefault(1),
  })
  .strict();

export const hostname = z
  .string()
  .regex(/^(?=.{1,253}\.?$)([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}\.?$/, 'an external name is a hostname such as "api.example.com"');

/**
 * How the workload writes the name (the workload schema includes this):
 * `short` "svc-3", `namespaced` "svc-3.ns-1", `fqdn` "svc-3.ns-1.svc.cluster.local", `fqdn-dot`
 * the same with a trailing dot, `{ external: "api.example.com" }`, or
 * `{ external: { names, dots, zipf } }` for a population of external names.
 */
export const nameForm = z.union([
  z.enum(['short', 'namespaced', 'fqdn', 'fqdn-dot']),
  z.object({ external: z.union([hostname, externalPopulation]) }).strict(),
]);
export type NameForm = z.output<typeof nameForm>;

const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The name a Service exists under (no trailing dot). */
export function serviceFqdn(service: string, namespace: string, clusterDomain = DEFAULT_CLUSTER_DOMAIN): string {
  return `${service}.${namespace}.svc.${clusterDomain}`;
}

/** The name the workload passes to getaddrinfo for a Service, in the given form. */
export function serviceQueryName(
  form: 'short' | 'namespaced' | 'fqdn' | 'fqdn-dot',
  service: string,
  namespace: string,
  clusterDomain = DEFAULT_CLUSTER_DOMAIN,
): string {
  switch (form) {
    case 'short':
      return service;
    case 'namespaced':
      return `${service}.${namespace}`;
    case 'fqdn':
      return serviceFqdn(service, namespace, clusterDomain);
    case 'fqdn-dot':
      return `${serviceFqdn(service, namespace, clusterDomain)}.`;
  }
}

/**
 * The `index`-th name of an external population with `dots` dots: "host-17.com" (1 dot),
 * "host-17.example.com" (2), "host-17.sub.example.com" (3), and so on. Distinct per index.
 */
export function externalName(index: number, dots: number): string {
  const labels = [`host-${index}`];
  for (let i = 0; i < dots - 2; i++) labels.push('sub');
  if (dots >= 2) labels.push('example');
  labels.push('com');
  return labels.join('.');
}

/** Counts the dots of a name as the resolvers do (a trailing dot included). */
export function countDots(name: string): number {
  let dots = 0;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 46) dots++;
  return dots;
}

/** The name without its trailing dot, if it has one. */
export function stripTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
