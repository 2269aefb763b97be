import { defineCodec, u8 } from '../codec.ts';
import type { WireCodec } from '../codec.ts';
import { DEFAULT_WIRE_CONTEXT } from '../context.ts';
import { CapabilityCode } from '../constants.ts';
import type { CapabilityCodec } from './capability-codec.ts';
import { malformedCapability } from './capability-codec.ts';
import { enhancedRouteRefreshCapability } from './enhanced-route-refresh.ts';
import type { EnhancedRouteRefreshCapability } from './enhanced-route-refresh.ts';
import { fourOctetAsCapability } from './four-octet-as.ts';
import type { FourOctetAsCapability } from './four-octet-as.ts';
import { gracefulRestartCapability } from './graceful-restart.ts';
import type { GracefulRestartCapability } from './graceful-restart.ts';
import { multiprotocolCapability } from './multiprotocol.ts';
import type { MultiprotocolCapability } from './multiprotocol.ts';
import { ciscoRouteRefreshCapability } from './route-refresh-cisco.ts';
import type { CiscoRouteRefreshCapability } from './route-refresh-cisco.ts';
import { routeRefreshCapability } from './route-refresh.ts';
import type { RouteRefreshCapability } from './route-refresh.ts';
import { unknownCapability } from './unknown-capability.ts';
import type { UnknownCapability } from './unknown-capability.ts';

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | CiscoRouteRefreshCapability
  | EnhancedRouteRefreshCapability
  | FourOctetAsCapability
  | GracefulRestartCapability
  | UnknownCapability;

type KnownKind = Exclude<Capability['kind'], 'unknown'>;

const CODECS: { readonly [K in KnownKind]: CapabilityCodec<Extract<Capability, { kind: K }>> } = {
  multiprotocol: multiprotocolCapability,
  'route-refresh': routeRefreshCapability,
  'route-refresh-cisco': ciscoRouteRefreshCapability,
  'enhanced-route-refresh': enhancedRouteRefreshCapability,
  'four-octet-as': fourOctetAsCapability,
  'graceful-restart': gracefulRestartCapability,
};

const BY_CODE = new Map<number, CapabilityCodec<Capability>>(
  Object.values(CODECS).map((codec) => [codec.code, codec as CapabilityCodec<Capability>]),
);

function codecOf(value: Capability): WireCodec<Capability> {
  return (value.kind === 'unknown'
    ? unknownCapability
    : CODECS[value.kind]) as unknown as WireCodec<Capability>;
}

/** Any capability (RFC 5492 §4), dispatched on its code; unknown codes are kept raw. */
export const capabilityCodec = defineCodec<Capability>({
  name: 'capability',
  encodingLength: (value, ctx) => codecOf(value).encodingLength(value, ctx),
  write: (value, buf, offset, ctx) => codecOf(value).write(value, buf, offset, ctx),
  decode(bytes, ctx) {
    const codec = BY_CODE.get(u8(bytes, 0));
    return codec === undefined ? unknownCapability.decode(bytes, ctx) : codec.decode(bytes, ctx);
  },
});

/** Decodes the capabilities in the value of one Capabilities optional parameter (RFC 5492 §4). */
export function decodeCapabilityList(value: Buffer): Capability[] {
  const capabilities: Capability[] = [];
  let pos = 0;
  while (pos < value.length) {
    // RFC 5492 §4 with RFC 4271 §6.2: a capability header or value overrunning its parameter is malformed.
    if (pos + 2 > value.length)
      throw malformedCapability(`code ${u8(value, pos)}`, 'truncated header');
    const end = pos + 2 + u8(value, pos + 1);
    if (end > value.length)
      throw malformedCapability(`code ${u8(value, pos)}`, 'value overruns the optional parameter');
    capabilities.push(capabilityCodec.decode(value.subarray(pos, end)));
    pos = end;
  }
  return capabilities;
}

export function capabilityListLength(capabilities: readonly Capability[]): number {
  let total = 0;
  for (const capability of capabilities) total += capabilityCodec.encodingLength(capability);
  return total;
}

export function writeCapabilityList(
  capabilities: readonly Capability[],
  buf: Buffer,
  offset: number,
): number {
  let pos = offset;
  for (const capability of capabilities)
    pos = capabilityCodec.write(capability, buf, pos, DEFAULT_WIRE_CONTEXT);
  return pos;
}

/** Capability codes by kind, e.g. for "Unsupported Capability" data (RFC 5492 §5). */
export const CAPABILITY_CODE_BY_KIND: { readonly [K in KnownKind]: number } = {
  multiprotocol: CapabilityCode.MULTIPROTOCOL,
  'route-refresh': CapabilityCode.ROUTE_REFRESH,
  'route-refresh-cisco': CapabilityCode.ROUTE_REFRESH_CISCO,
  'enhanced-route-refresh': CapabilityCode.ENHANCED_ROUTE_REFRESH,
  'four-octet-as': CapabilityCode.FOUR_OCTET_AS,
  'graceful-restart': CapabilityCode.GRACEFUL_RESTART,
};
