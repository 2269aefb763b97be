import { CapabilityCode } from '../constants.ts';
import { defineCapability, emptyValue } from './capability-codec.ts';

/** The pre-RFC 2918 route refresh capability (code 128), still sent next to code 2. */
export interface CiscoRouteRefreshCapability {
  readonly kind: 'route-refresh-cisco';
}

const empty = emptyValue('route refresh (Cisco)');

export const ciscoRouteRefreshCapability = defineCapability<CiscoRouteRefreshCapability>({
  name: 'route-refresh-cisco',
  code: CapabilityCode.ROUTE_REFRESH_CISCO,
  valueLength: empty.valueLength,
  writeValue: empty.writeValue,
  decodeValue(value, fail) {
    empty.check(value, fail);
    return { kind: 'route-refresh-cisco' };
  },
});
