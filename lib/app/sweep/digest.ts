/**
 * The content digest of a sweep point: SHA-256 over what its result depends on — the
 * network's resolved spec, the variant's resolved hardware, the method, its delay rule,
 * variant and options — not over names. Resume and `merge --spec` match rows by key AND this
 * digest, so a network file edited under the same name is run again, not reused.
 */
import { createHash } from 'node:crypto';
import { loadNetwork } from '../../model/spec/network';
import { variantHardware } from './hardware';
import type { SweepPoint } from './spec';

/** Digests of many points, loading each network and hardware variant once. */
export function pointDigests(points: SweepPoint[]): Map<string, string> {
  const nets = new Map<string, string>();
  const hws = new Map<string, string>();
  const out = new Map<string, string>();
  for (const p of points) {
    let net = nets.get(p.network);
    if (net === undefined) nets.set(p.network, (net = JSON.stringify(loadNetwork(p.network).spec)));
    const hk = JSON.stringify(p.hardware);
    let hw = hws.get(hk);
    if (hw === undefined) hws.set(hk, (hw = JSON.stringify(variantHardware(p.hardware))));
    const what = JSON.stringify([p.procs, p.method, p.delayRule ?? null, p.variant ?? null, p.options]);
    out.set(p.key, createHash('sha256').update(`sweep1\n${net}\n${hw}\n${what}`).digest('hex'));
  }
  return out;
}
