import { EXCLUDE_FROM_LOAD_BALANCERS_LABEL } from './announcement-reasons.ts';
import type { NodeConditionInfo, NodeInfo } from './cluster-objects.ts';

export interface NodeRefusal {
  readonly reason: 'nodeExcluded' | 'nodeNetworkUnavailable' | 'nodeNotReady';
  readonly message: string;
}

function because(condition: NodeConditionInfo): string {
  const parts = [condition.reason, condition.message].filter(
    (part): part is string => part !== undefined && part !== '',
  );
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`;
}

/**
 * Whether the node's own state forbids announcing from it, whatever the
 * Service. Checked in this order:
 *
 * - the exclusion label (any value, as Kubernetes' service controller reads it);
 * - NetworkUnavailable=True: the pod network is not set up;
 * - Ready=False: the kubelet itself says the node cannot run pods, typically
 *   because the network plugin is not ready yet. Attracting traffic to such a
 *   node drops it (the field pitfall: announcements before the dataplane is
 *   programmed). Ready=Unknown only means the kubelet's heartbeats stopped
 *   reaching the API server, which a control-plane outage does to every node
 *   at once; withdrawing then would turn it into a full outage, so Unknown
 *   (and an absent condition) do not withdraw. MetalLB ignores Ready.
 */
export function nodeRefusal(node: NodeInfo): NodeRefusal | undefined {
  if (Object.hasOwn(node.labels, EXCLUDE_FROM_LOAD_BALANCERS_LABEL)) {
    return {
      reason: 'nodeExcluded',
      message: `node ${node.name} has the label ${EXCLUDE_FROM_LOAD_BALANCERS_LABEL}; remove it to announce from this node again`,
    };
  }
  if (node.networkUnavailable?.status === 'True') {
    return {
      reason: 'nodeNetworkUnavailable',
      message: `node ${node.name} has the condition NetworkUnavailable=True${because(node.networkUnavailable)}`,
    };
  }
  if (node.ready?.status === 'False') {
    return {
      reason: 'nodeNotReady',
      message: `node ${node.name} has the condition Ready=False${because(node.ready)}; traffic sent to it could be dropped`,
    };
  }
  return undefined;
}
