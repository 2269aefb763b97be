import { Type, type Static } from 'typebox';
import { selectorList } from './label-selector.ts';
import {
  Defaults,
  durationString,
  metallb,
  ObjectMetaSchema,
  typeMetaProperties,
} from './common.ts';

const UINT32_MAX = 4_294_967_295;

function asn(description: string) {
  return Type.Integer({ minimum: 1, maximum: UINT32_MAX, description, ...metallb('same') });
}

export const BGPPeerSpecSchema = Type.Object(
  {
    myASN: asn(
      'The AS number the speaker uses on this session (1-4294967295, 4-byte ASNs allowed).',
    ),
    peerASN: asn(
      'The AS number of the peer. Equal to myASN makes the session iBGP, different makes it eBGP.',
    ),
    peerAddress: Type.String({
      minLength: 1,
      description:
        "The IPv4 or IPv6 address the speaker connects to, e.g. 127.0.0.1 for the node's BIRD.",
      ...metallb('same'),
    }),
    peerPort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        default: Defaults.peerPort,
        description: 'The TCP port of the peer.',
        ...metallb('same'),
      }),
    ),
    holdTime: Type.Optional(
      durationString({
        default: Defaults.holdTime,
        description:
          "The hold time proposed in OPEN: 0 (no keepalives, no hold timer) or 3s-65535s, whole seconds. The session uses the smaller of both sides' values.",
        ...metallb('same'),
      }),
    ),
    keepaliveTime: Type.Optional(
      durationString({
        description:
          'The interval between KEEPALIVEs; at most the hold time. Unset: one third of the negotiated hold time.',
        ...metallb('same'),
      }),
    ),
    connectTime: Type.Optional(
      durationString({
        default: Defaults.connectTime,
        description:
          'How long to wait between connection attempts (ConnectRetryTime), 1s-65535s. Short, because the usual peer is the BIRD on the same node.',
        ...metallb('same; ironlb defaults to 5s'),
      }),
    ),
    routerID: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The BGP identifier sent in OPEN, a non-zero IPv4 address. Unset: chosen by the speaker (normally the node's IPv4 address).",
        ...metallb('same'),
      }),
    ),
    sourceAddress: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The local address to connect from; same family as peerAddress. Unset: chosen by the kernel.',
        ...metallb('same'),
      }),
    ),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'TCP-MD5 (RFC 2385) key for the session, at most 80 bytes. Prefer passwordSecret; not both.',
        ...metallb('same'),
      }),
    ),
    passwordSecret: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'The name of the Secret.' }),
          namespace: Type.Optional(
            Type.String({
              description: "The namespace of the Secret; unset: the BGPPeer's namespace.",
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'A Secret of type kubernetes.io/basic-auth whose "password" key holds the TCP-MD5 key. Not together with password.',
          ...metallb('same'),
        },
      ),
    ),
    ebgpMultiHop: Type.Optional(
      Type.Boolean({
        default: Defaults.ebgpMultiHop,
        description:
          'The eBGP peer is not directly connected: send with TTL 255 instead of 1. Not for iBGP, not with ttlSecurity.',
        ...metallb('same'),
      }),
    ),
    nodeSelectors: selectorList(
      'Only speakers on nodes with matching labels open this session. Unset or empty: every node.',
    ),
    enableGracefulRestart: Type.Optional(
      Type.Boolean({
        default: Defaults.enableGracefulRestart,
        description:
          'Advertise the Graceful Restart capability (RFC 4724) so the peer keeps our routes while the speaker restarts.',
        ...metallb('same; MetalLB supports it in FRR mode only'),
      }),
    ),
    gracefulRestartTime: Type.Optional(
      // No schema default: the API server would fill it into every peer, and setting it without
      // enableGracefulRestart is an error. The parse applies the default (120s).
      durationString({
        description:
          'The restart time advertised with Graceful Restart: how long the peer keeps our routes, whole seconds, 1s-4095s; 120s when unset. Only with enableGracefulRestart.',
        ...metallb('ironlb'),
      }),
    ),
    ttlSecurity: Type.Optional(
      Type.Boolean({
        default: Defaults.ttlSecurity,
        description:
          'Generalized TTL Security (GTSM, RFC 5082): send with TTL 255 and accept only packets that arrive with TTL 255, i.e. from a directly connected or same-host peer. Not with ebgpMultiHop.',
        ...metallb('ironlb'),
      }),
    ),
  },
  { additionalProperties: false, description: 'One BGP session per matching node.' },
);

export const BGPSessionStates = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
] as const;

export const BGPPeerStatusSchema = Type.Object(
  {
    sessions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            node: Type.String({
              minLength: 1,
              description: 'The node whose speaker owns the session.',
            }),
            state: Type.Enum([...BGPSessionStates], {
              description: 'The BGP FSM state (RFC 4271 §8.2.2).',
            }),
            lastTransitionTime: Type.Optional(
              Type.String({ format: 'date-time', description: 'When the state last changed.' }),
            ),
            message: Type.Optional(
              Type.String({ description: 'Why the session is not Established, if it is not.' }),
            ),
          },
          { additionalProperties: false },
        ),
        {
          description: 'Per-node session state, one entry per speaker (written by the speakers).',
          ...metallb('ironlb'),
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['node'],
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Session state, written by the speakers.',
    ...metallb('ironlb'),
  },
);

export const BGPPeerSchema = Type.Object(
  {
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: BGPPeerSpecSchema,
    status: Type.Optional(BGPPeerStatusSchema),
  },
  { description: 'A BGP neighbour the speakers on matching nodes connect to.' },
);

export type BGPPeerSpec = Static<typeof BGPPeerSpecSchema>;
export type BGPPeerStatus = Static<typeof BGPPeerStatusSchema>;
export type BGPPeer = Static<typeof BGPPeerSchema>;
