// The sizes Cilium gives its CT, NAT and neighbour maps from bpf-map-dynamic-size-ratio: a share
// of the node's memory, split among the maps in proportion to their static default sizes, each
// clamped to its own minimum and to the table maximum (cilium pkg/maps/mapsize/mapsize.go,
// getDynamicSizeCalculator and calculateDynamicBPFMapSizes). A size set by its own flag
// (bpf-ct-global-tcp-max, ...) wins. Leaves out the distributed-LRU rounding to the CPU count
// (bpf-distributed-lru, off by default) and the policy and auth maps.

export interface CiliumMapSizes {
  ctTcp: number;
  ctAny: number;
  nat: number;
  neigh: number;
}

/** The static sizes (the split's weights), element sizes and clamps: conntrack.yaml cilium. */
export interface CiliumMapSizing {
  ctTcp: number;
  ctAny: number;
  sockRevNat: number;
  elementBytes: { ct: number; nat: number; neigh: number; sockRevNat: number };
  minimums: { ctTcp: number; ctAny: number; nat: number };
  tableMax: number;
}

/** Sizes the user set by flag; undefined: dynamic. */
export interface CiliumMapOverrides {
  ctTcp?: number;
  ctAny?: number;
}

/**
 * Cilium's map sizes on a node with `memoryBytes` of memory. A ratio of 0 keeps the static
 * defaults (Cilium's agent skips the calculation). Integer arithmetic as in Go: the entries are
 * ⌊default × ⌊memory × ratio⌋ / (bytes the default-sized maps would take)⌋.
 */
export function ciliumMapSizes(memoryBytes: number, ratio: number, sizing: CiliumMapSizing, overrides: CiliumMapOverrides = {}): CiliumMapSizes {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`bpf-map-dynamic-size-ratio must be in [0, 1], got ${ratio}`);
  if (!(memoryBytes > 0 && Number.isFinite(memoryBytes))) throw new RangeError(`node memory must be a finite number of bytes > 0, got ${memoryBytes}`);
  const { minimums, elementBytes, tableMax } = sizing;
  // mapsize.go: the NAT map's default is 2/3 of the two CT maps' (a heuristic), the neighbour map as the NAT map.
  const natDefault = Math.floor(((sizing.ctTcp + sizing.ctAny) * 2) / 3);
  const defaultMapBytes =
    (sizing.ctTcp + sizing.ctAny) * elementBytes.ct + natDefault * elementBytes.nat + natDefault * elementBytes.neigh + sizing.sockRevNat * elementBytes.sockRevNat;
  const available = Math.floor(memoryBytes * ratio);
  const dynamic = (entriesDefault: number, min: number): number => {
    if (ratio === 0) return entriesDefault;
    const entries = Math.floor((entriesDefault * available) / defaultMapBytes);
    return entries < min ? min : Math.min(entries, tableMax);
  };
  const ctTcp = overrides.ctTcp ?? dynamic(sizing.ctTcp, minimums.ctTcp);
  const ctAny = overrides.ctAny ?? dynamic(sizing.ctAny, minimums.ctAny);
  let nat = dynamic(natDefault, minimums.nat);
  // The NAT map may not outgrow the CT maps it translates for (mapsize.go caps it at 2/3 of them).
  if (nat > ctTcp + ctAny) nat = Math.floor(((ctTcp + ctAny) * 2) / 3);
  return { ctTcp, ctAny, nat, neigh: nat };
}
