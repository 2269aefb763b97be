import { checkUint, u16, u8, writeU16 } from '../codec.ts';
import { CapabilityCode } from '../constants.ts';
import { encodeError } from '../errors.ts';
import { defineCapability } from './capability-codec.ts';

export interface GracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** F bit: forwarding state for this family was kept across the restart. */
  readonly forwardingState: boolean;
}

/** RFC 4724 §3 graceful restart, with the N bit of RFC 8538 §2. */
export interface GracefulRestartCapability {
  readonly kind: 'graceful-restart';
  /** R bit: the sender has restarted. */
  readonly restarting: boolean;
  /** N bit (RFC 8538): the sender applies graceful restart to NOTIFICATIONs too. */
  readonly notification: boolean;
  /** Seconds (12 bits) the sender expects to take to re-establish. */
  readonly restartTime: number;
  readonly families: readonly GracefulRestartFamily[];
}

const RESTART_FLAG = 0x8000;
const NOTIFICATION_FLAG = 0x4000;
const FORWARDING_STATE_FLAG = 0x80;

export const gracefulRestartCapability = defineCapability<GracefulRestartCapability>({
  name: 'graceful-restart',
  code: CapabilityCode.GRACEFUL_RESTART,
  valueLength: (value) => 2 + 4 * value.families.length,
  writeValue(value, buf, offset) {
    const time = checkUint(value.restartTime, 16, 'restart time');
    if (time > 0xfff) throw encodeError(`restart time is 12 bits (at most 4095 s), got ${time}`);
    writeU16(
      buf,
      offset,
      (value.restarting ? RESTART_FLAG : 0) | (value.notification ? NOTIFICATION_FLAG : 0) | time,
    );
    let pos = offset + 2;
    for (const family of value.families) {
      writeU16(buf, pos, checkUint(family.afi, 16, 'AFI'));
      buf[pos + 2] = checkUint(family.safi, 8, 'SAFI');
      buf[pos + 3] = family.forwardingState ? FORWARDING_STATE_FLAG : 0;
      pos += 4;
    }
    return pos;
  },
  decodeValue(value, fail) {
    // RFC 4724 §3: 2 octets of flags and time, then 4 octets per AFI/SAFI.
    if (value.length < 2 || (value.length - 2) % 4 !== 0)
      return fail(`length ${value.length} is not 2 + 4n`);
    const head = u16(value, 0);
    const families: GracefulRestartFamily[] = [];
    for (let pos = 2; pos < value.length; pos += 4) {
      families.push({
        afi: u16(value, pos),
        safi: u8(value, pos + 2),
        forwardingState: (u8(value, pos + 3) & FORWARDING_STATE_FLAG) !== 0,
      });
    }
    return {
      kind: 'graceful-restart',
      restarting: (head & RESTART_FLAG) !== 0,
      notification: (head & NOTIFICATION_FLAG) !== 0,
      restartTime: head & 0x0fff,
      families,
    };
  },
});
