/** Host prefixes for benchmarks: distinct, deterministic, in documentation ranges where possible. */

/** 10.0.0.0/32, 10.0.0.1/32, … (10/8 holds 16.7M). */
export function ipv4Hosts(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}/32`,
  );
}

/** 2001:db8:0::0/128, 2001:db8:0::1/128, … */
export function ipv6Hosts(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}/128`,
  );
}
