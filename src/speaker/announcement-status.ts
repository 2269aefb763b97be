import { createHash } from 'node:crypto';
import { API_GROUP_VERSION, type ServiceBGPStatus } from '../config/index.ts';
import type { AnnouncementProblemReason, AnnouncementReason } from './announcement-reasons.ts';
import type { ServiceDecision } from './announce-decision.ts';
import { compareText } from './route-merge.ts';

/** Which peers one node announces one Service to (the ServiceBGPStatus content). */
export interface ServiceBgpAnnouncement {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly node: string;
  /** BGPPeers as "namespace/name", sorted. */
  readonly peers: readonly string[];
}

/** One ServiceBgpAnnouncement per Service this node announces (any address to any peer). */
export function serviceBgpAnnouncements(
  decisions: readonly ServiceDecision[],
): ServiceBgpAnnouncement[] {
  return decisions
    .filter((decision) => decision.announce)
    .map((decision) => ({
      serviceNamespace: decision.namespace,
      serviceName: decision.name,
      node: decision.node,
      peers: [...new Set(decision.ips.flatMap((ip) => ip.routes.map((route) => route.peer)))].sort(
        compareText,
      ),
    }))
    .sort(
      (a, b) =>
        compareText(a.serviceNamespace, b.serviceNamespace) ||
        compareText(a.serviceName, b.serviceName),
    );
}

export const ServiceBgpStatusLabels = {
  node: 'ironlb.dev/node',
  serviceName: 'ironlb.dev/service-name',
  serviceNamespace: 'ironlb.dev/service-namespace',
} as const;

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * The object name for a Service and node: stable (the speaker finds its own
 * objects again after a restart) and unique per node without being as long
 * as a node name may be.
 */
export function serviceBgpStatusName(serviceName: string, node: string): string {
  const digest = createHash('sha256').update(node).digest('hex').slice(0, 10);
  return `${serviceName}-${digest}`;
}

/** The ServiceBGPStatus object a node's speaker keeps for one announced Service. */
export function serviceBgpStatusObject(announcement: ServiceBgpAnnouncement): ServiceBGPStatus {
  const labels: Record<string, string> = {
    [ServiceBgpStatusLabels.serviceName]: announcement.serviceName,
    [ServiceBgpStatusLabels.serviceNamespace]: announcement.serviceNamespace,
  };
  // Node names may be longer than a label value may be; the status carries the name anyway.
  if (announcement.node.length <= 63 && labelValue.test(announcement.node)) {
    labels[ServiceBgpStatusLabels.node] = announcement.node;
  }
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'ServiceBGPStatus',
    metadata: {
      name: serviceBgpStatusName(announcement.serviceName, announcement.node),
      namespace: announcement.serviceNamespace,
      labels,
    },
    status: {
      node: announcement.node,
      serviceName: announcement.serviceName,
      serviceNamespace: announcement.serviceNamespace,
      peers: [...announcement.peers],
    },
  };
}

/** nodeAnnouncing, nodeWithdrew, or a problem's reason (localPrefConflict). */
export type AnnouncementEventReason = 'nodeAnnouncing' | 'nodeWithdrew' | AnnouncementProblemReason;

/** An event to record on a Service. */
export interface AnnouncementEvent {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: AnnouncementEventReason;
  readonly message: string;
}

/** "ip>peer" pairs: what changes when an announcement changes in a way worth an event. */
function announcedPairs(decision: ServiceDecision | undefined): string {
  if (decision === undefined) return '';
  return decision.ips
    .flatMap((ip) => ip.routes.map((route) => `${ip.ip}>${route.peer}`))
    .sort(compareText)
    .join(',');
}

function peersOf(decision: ServiceDecision): string[] {
  return [...new Set(decision.ips.flatMap((ip) => ip.routes.map((route) => route.peer)))].sort(
    compareText,
  );
}

function withdrawnText(ip: { ip: string; reason: AnnouncementReason; message: string }): string {
  return `${ip.ip} (${ip.reason}: ${ip.message})`;
}

/**
 * The events one node's speaker records when its decisions change, from the
 * previous round's decisions (undefined right after start) to this round's:
 *
 * - `nodeAnnouncing` (Normal) when the Service becomes announced from the
 *   node or the announced addresses or peers change;
 * - `nodeWithdrew` (Normal) when the node stops announcing every address of
 *   a Service that still exists (deleted Services get no event), with why;
 * - `localPrefConflict` (Warning) when such a conflict appears.
 *
 * Nothing is recorded for Services that were and stay unannounced, so a
 * cluster's many non-announcing nodes do not flood the Service with events.
 */
export function announcementEvents(
  previous: readonly ServiceDecision[] | undefined,
  next: readonly ServiceDecision[],
): AnnouncementEvent[] {
  const before = new Map((previous ?? []).map((decision) => [decision.key, decision]));
  const events: AnnouncementEvent[] = [];
  const sorted = [...next].sort((a, b) => compareText(a.key, b.key));
  for (const decision of sorted) {
    const old = before.get(decision.key);
    const target = { serviceNamespace: decision.namespace, serviceName: decision.name };
    const oldPairs = announcedPairs(old);
    const newPairs = announcedPairs(decision);
    if (decision.announce && newPairs !== oldPairs) {
      const announced = decision.ips.filter((ip) => ip.announce);
      const notAnnounced = decision.ips.filter((ip) => !ip.announce);
      const peers = peersOf(decision);
      events.push({
        ...target,
        type: 'Normal',
        reason: 'nodeAnnouncing',
        message: `announcing ${announced.map((ip) => ip.ip).join(', ')} from node ${decision.node} to BGPPeer${peers.length === 1 ? '' : 's'} ${peers.join(', ')}${notAnnounced.length > 0 ? `; not ${notAnnounced.map(withdrawnText).join('; ')}` : ''}`,
      });
    } else if (!decision.announce && old?.announce === true) {
      const withdrawn = old.ips.filter((ip) => ip.announce).map((ip) => ip.ip);
      events.push({
        ...target,
        type: 'Normal',
        reason: 'nodeWithdrew',
        message: `withdrew ${withdrawn.join(', ')} from node ${decision.node}: ${decision.reason}: ${decision.message}`,
      });
    }
    const oldProblems = new Set(
      (old?.ips ?? []).flatMap((ip) => ip.problems.map((p) => p.message)),
    );
    for (const ip of decision.ips) {
      for (const problem of ip.problems) {
        if (oldProblems.has(problem.message)) continue;
        oldProblems.add(problem.message);
        events.push({
          ...target,
          type: 'Warning',
          reason: problem.reason,
          message: problem.message,
        });
      }
    }
  }
  return events;
}
