import type { ParseResult } from '../ipam/address.ts';

/**
 * Go's time.Duration text form ("90s", "1m30s", "500ms", "1.5h"), as used by
 * metav1.Duration fields in MetalLB's CRDs. Negative durations are refused:
 * no field here means anything by them. The pattern also goes into the CRD
 * so the API server rejects a malformed duration at admission.
 */
export const DURATION_PATTERN = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+)$';

const durationRegex = new RegExp(DURATION_PATTERN);
const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu; Go accepts both
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration string into milliseconds (fractions of a millisecond are kept). */
export function parseDuration(text: string): ParseResult<number> {
  if (!durationRegex.test(text)) {
    return {
      ok: false,
      reason: `"${text}" is not a duration such as "90s", "1m30s" or "500ms"`,
    };
  }
  let total = 0;
  for (const match of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(match[1]) * (unitMs[match[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return { ok: false, reason: `"${text}" is too long a duration` };
  return { ok: true, value: total };
}

/** Formats milliseconds the way Go prints a duration ("1m30s", "500ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return (
    (hours > 0 ? `${hours}h` : '') +
    (hours > 0 || minutes > 0 ? `${minutes}m` : '') +
    `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`
  );
}
