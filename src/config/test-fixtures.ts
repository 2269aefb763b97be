/** Builders for configuration objects, shared by the config tests. */
import { Buffer } from 'node:buffer';
import { API_GROUP_VERSION } from './schema/common.ts';

export const NS = 'ironlb-system';

function object(kind: string, name: string, spec: unknown, labels?: Record<string, string>) {
  return {
    apiVersion: API_GROUP_VERSION,
    kind,
    metadata: { name, namespace: NS, ...(labels === undefined ? {} : { labels }) },
    spec,
  };
}

export const pool = (
  name: string,
  spec: Record<string, unknown>,
  labels?: Record<string, string>,
) => object('IPAddressPool', name, spec, labels);
export const peer = (name: string, spec: Record<string, unknown>) => object('BGPPeer', name, spec);
export const advertisement = (name: string, spec: Record<string, unknown>) =>
  object('BGPAdvertisement', name, spec);
export const community = (name: string, communities: { name: string; value: string }[]) =>
  object('Community', name, { communities });

/** The loopback session of the reference data center: speaker AS 64698, BIRD AS 64699. */
export const birdPeer = { myASN: 64698, peerASN: 64699, peerAddress: '127.0.0.1' };

/** A kubernetes.io/basic-auth Secret as the API returns it. */
export function basicAuthSecret(password: string) {
  return {
    type: 'kubernetes.io/basic-auth',
    data: { password: Buffer.from(password).toString('base64') },
  };
}
