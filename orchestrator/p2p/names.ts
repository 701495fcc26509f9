// Names `expect:` formulas may use for file distribution (the lecture's F, u_s, u_i, d_i):
//   nodes.NODE.NET.upload / nodes.NODE.NET.download — a member's egress / ingress rate on a
//     network, Mbit/s (its own `upload`/`download`, else the network's `rate`);
//   nodes.NODE.file — the size of the file a file-server distributes, Mbit (F).
import type { Topology } from '../topology/types.js';
import { fileSpec } from './plan.js';

export function distributionNames(topology: Topology): Record<string, number> {
  const names: Record<string, number> = {};
  const networks = new Map(topology.networks.map((n) => [n.name, n.impairment]));
  for (const node of topology.nodes) {
    for (const a of node.attachments) {
      const upload = a.impairment.rateBps ?? networks.get(a.network)?.rateBps;
      const download = a.impairment.downloadBps;
      if (upload !== undefined) names[`nodes.${node.name}.${a.network}.upload`] = upload / 1e6;
      if (download !== undefined) names[`nodes.${node.name}.${a.network}.download`] = download / 1e6;
    }
    if (node.role === 'file-server') {
      try {
        names[`nodes.${node.name}.file`] = (fileSpec(node).size * 8) / 1e6;
      } catch {
        // A bad `file:` is reported by planning, with its path; the formula just lacks the name.
      }
    }
  }
  return names;
}
