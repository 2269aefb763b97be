import { Type, type TSchema } from 'typebox';
import { DURATION_PATTERN } from '../duration.ts';

export const API_GROUP = 'ironlb.dev';
export const API_VERSION = 'v1beta1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/**
 * Defaults, each used twice: in the schema (so the API server fills them in
 * and `kubectl explain` shows them) and in the parse (for objects that did
 * not come through the API server, e.g. files checked by the CLI).
 */
export const Defaults = {
  autoAssign: true,
  avoidBuggyIPs: false,
  peerPort: 179,
  holdTime: '90s',
  connectTime: '5s',
  ebgpMultiHop: false,
  enableGracefulRestart: false,
  gracefulRestartTime: '120s',
  ttlSecurity: false,
  aggregationLength: 32,
  aggregationLengthV6: 128,
} as const;

/**
 * How a field relates to MetalLB's, for the reference docs: 'same' (same name
 * and meaning), 'ironlb' (ours only), or a sentence on the difference. The
 * key is stripped from the generated CRDs.
 */
export const METALLB_NOTE = 'x-ironlb-metallb';

export function metallb(note: string): Record<string, string> {
  return { [METALLB_NOTE]: note };
}

/**
 * The part of ObjectMeta the parse reads. Other metadata fields are allowed
 * and ignored; in the CRD, metadata is left to the API server.
 */
export const ObjectMetaSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    namespace: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { description: 'Standard object metadata.' },
);

export const typeMetaProperties = {
  apiVersion: Type.Optional(
    Type.String({ description: `The API version of this object: ${API_GROUP_VERSION}.` }),
  ),
  kind: Type.Optional(Type.String({ description: 'The kind of this object.' })),
};

export function durationString(options: { description: string; default?: string } & object) {
  return Type.String({ pattern: DURATION_PATTERN, ...options });
}

/** A non-negative integer of any size, as a decimal string (an IPv6 /64 holds 2^64 addresses). */
export function bigCount(description: string, metallbNote: string) {
  return Type.Optional(
    Type.String({ pattern: '^(0|[1-9][0-9]*)$', description, ...metallb(metallbNote) }),
  );
}

/** A metav1.Condition, for status objects. */
export const ConditionSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, description: 'The condition type, e.g. Valid.' }),
    status: Type.Enum(['True', 'False', 'Unknown'], { description: 'True, False or Unknown.' }),
    reason: Type.Optional(
      Type.String({ description: 'A CamelCase reason for the last transition.' }),
    ),
    message: Type.Optional(Type.String({ description: 'A human-readable message.' })),
    lastTransitionTime: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the status last changed.' }),
    ),
    observedGeneration: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The generation the condition was computed for.' }),
    ),
  },
  { additionalProperties: false },
);

export function conditionList() {
  return Type.Optional(
    Type.Array(ConditionSchema, {
      description: 'Standard conditions.',
      ...metallb('standard Kubernetes conditions'),
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
  );
}

/** Narrowing helper for code that walks schemas as plain JSON. */
export type JsonSchemaNode = TSchema & Record<string, unknown>;
