// The control plane between a pod's readiness change and the node proxies: the experiment's
// `controlPlane:` settings (kube-controller-manager's EndpointSlice controller flags) and the
// calibrated constants of its stages (proxy.yaml `controlPlane:`). Leaves out the Endpoints
// controller and EndpointSliceMirroring (kube-proxy reads EndpointSlices only).

import { z } from 'zod';
import { duration, positiveDuration } from '../units.js';

/**
 * kube-controller-manager's defaults (kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/):
 * --concurrent-service-endpoint-syncs 5, --endpointslice-updates-batch-period 0 (unset),
 * --kube-api-qps 20, --kube-api-burst 30 (each controller's client has its own limiter).
 */
export const controlPlaneSettings = z
  .object({
    endpointSlice: z
      .object({
        /** Workers syncing Services at once (--concurrent-service-endpoint-syncs). */
        concurrentSyncs: z.number().int().min(1).prefault(5),
        /** Pod changes wait this long before their Service is queued, so that several share one sync (--endpointslice-updates-batch-period). */
        batchPeriod: duration().prefault('0s'),
        /** The controller's client rate limit, requests per second (--kube-api-qps). */
        apiQps: z.number().positive().prefault(20),
        /** Its burst (--kube-api-burst). */
        apiBurst: z.number().int().min(1).prefault(30),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type EndpointSliceSettings = z.output<typeof controlPlaneSettings>['endpointSlice'];

/** proxy.yaml `controlPlane:` once loaded. */
export const controlPlaneConstants = z.object({
  /** One mutating API request (the kubelet's status PATCH, the controller's slice update): from sending it to its commit. */
  apiWrite: duration(),
  /** From a commit to one watcher receiving its event (the API server's watch cache, one HTTP/2 stream). */
  watchDelivery: duration(),
  /** The API server's added delay per watcher ahead of a given one in an event's dispatch. */
  watchFanoutPerWatcher: duration(),
  /** The controller's work to reconcile one Service's slices, before its write. */
  syncCpu: duration(),
  /** First requeue delay of a Service whose sync found a stale informer cache; doubles per retry. */
  staleRetryBase: positiveDuration(),
  /** The requeue delay's cap. */
  staleRetryMax: positiveDuration(),
});
export type ControlPlaneConstants = z.output<typeof controlPlaneConstants>;
