import { CapabilityCode } from '../constants.ts';
import { defineCapability, emptyValue } from './capability-codec.ts';

/** RFC 2918 §2: the sender accepts ROUTE-REFRESH messages. */
export interface RouteRefreshCapability {
  readonly kind: 'route-refresh';
}

const empty = emptyValue('route refresh');

export const routeRefreshCapability = defineCapability<RouteRefreshCapability>({
  name: 'route-refresh',
  code: CapabilityCode.ROUTE_REFRESH,
  valueLength: empty.valueLength,
  writeValue: empty.writeValue,
  decodeValue(value, fail) {
    empty.check(value, fail);
    return { kind: 'route-refresh' };
  },
});
