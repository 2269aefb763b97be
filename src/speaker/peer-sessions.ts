import { anySelectorMatches, objectRef, type IronlbConfig, type Peer } from '../config/index.ts';
import type { AnnouncementProblem } from './announcement-reasons.ts';
import type { NodeInfo } from './cluster-objects.ts';

export interface PeerSession {
  /** "namespace/name" of the BGPPeer. */
  readonly ref: string;
  readonly peer: Peer;
}

export interface NodeSessions {
  /** The sessions this node opens, sorted by ref. */
  readonly sessions: readonly PeerSession[];
  readonly problems: readonly AnnouncementProblem[];
}

/**
 * The BGPPeers this node opens a session to: those whose nodeSelectors match
 * its labels (an empty list matches every node). Without a Node object the
 * labels are unknown, so only peers meant for every node qualify.
 *
 * Two peers with the same address and port cannot both have a session from
 * one node (there is one TCP connection per address pair); the parse refuses
 * such pairs only when their selectors are equal, so the rest is found here:
 * the first by namespace/name keeps the session and the other is reported.
 */
export function sessionsForNode(
  config: IronlbConfig,
  nodeName: string,
  node: NodeInfo | undefined,
): NodeSessions {
  const sessions: PeerSession[] = [];
  const problems: AnnouncementProblem[] = [];
  const byEndpoint = new Map<string, PeerSession>();
  // config.peers is sorted by namespace/name, which makes "the first" deterministic.
  for (const peer of config.peers) {
    const selected =
      node === undefined
        ? peer.nodeSelectors.length === 0
        : anySelectorMatches(peer.nodeSelectors, node.labels);
    if (!selected) continue;
    const session = { ref: objectRef(peer.namespace, peer.name), peer };
    const endpoint = `${peer.peerAddress}|${peer.peerPort}`;
    const first = byEndpoint.get(endpoint);
    if (first !== undefined) {
      problems.push({
        reason: 'duplicatePeerSession',
        peer: session.ref,
        message: `BGPPeer ${session.ref} and BGPPeer ${first.ref} both select node ${nodeName} with address ${peer.peerAddress} port ${peer.peerPort}; only ${first.ref} gets a session`,
      });
      continue;
    }
    byEndpoint.set(endpoint, session);
    sessions.push(session);
  }
  return { sessions, problems };
}
