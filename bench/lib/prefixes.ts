/** Host prefixes for benchmarks: distinct, deterministic, in documentation ranges where possible. */

/** 10.0.0.0/32, 10.0.0.1/32, … (10/8 holds 16.7M). */
export function ipv4Hosts(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}/32`,
  );
}

/**
 * 2001:db8::/128, 2001:db8::1/128, …, 2001:db8:1::/128, … in RFC 5952 text,
 * as the speaker hands prefixes to its sessions (ipaddr.js formats them).
 */
export function ipv6Hosts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const high = i >> 16;
    const low = i & 0xffff;
    const head = high === 0 ? '2001:db8:' : `2001:db8:${high.toString(16)}:`;
    return `${head}:${low === 0 ? '' : low.toString(16)}/128`;
  });
}
