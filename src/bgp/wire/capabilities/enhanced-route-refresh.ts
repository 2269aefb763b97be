import { CapabilityCode } from '../constants.ts';
import { defineCapability, emptyValue } from './capability-codec.ts';

/** RFC 7313 §3: the sender marks refreshes with BoRR/EoRR. */
export interface EnhancedRouteRefreshCapability {
  readonly kind: 'enhanced-route-refresh';
}

const empty = emptyValue('enhanced route refresh');

export const enhancedRouteRefreshCapability = defineCapability<EnhancedRouteRefreshCapability>({
  name: 'enhanced-route-refresh',
  code: CapabilityCode.ENHANCED_ROUTE_REFRESH,
  valueLength: empty.valueLength,
  writeValue: empty.writeValue,
  decodeValue(value, fail) {
    empty.check(value, fail);
    return { kind: 'enhanced-route-refresh' };
  },
});
