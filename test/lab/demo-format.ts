import type { ClientResult, TorNextHop } from './lab.ts';

/** Text for the demo (`npm run demo`): tables and route summaries, as pure functions. */

/** Left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

/**
 * Requests by node and pod, with each pod's share as a bar: every pod that
 * exists is listed (0 when it got nothing), then failures if any.
 */
export function trafficTable(
  result: ClientResult,
  pods: ReadonlyArray<{ readonly name: string; readonly node: string }>,
  barWidth = 30,
): string[] {
  const rows: string[][] = [['NODE', 'POD', 'REQUESTS', 'SHARE']];
  const sorted = [...pods].sort(
    (a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name),
  );
  const known = new Set(sorted.map((p) => p.name));
  const extra = Object.keys(result.byPod)
    .filter((name) => !known.has(name))
    .map((name) => ({ name, node: '?' }));
  for (const pod of [...sorted, ...extra]) {
    const count = result.byPod[pod.name] ?? 0;
    const share = result.requested === 0 ? 0 : count / result.requested;
    rows.push([
      pod.node,
      pod.name,
      String(count),
      `${'█'.repeat(Math.round(share * barWidth))} ${(share * 100).toFixed(0)} %`,
    ]);
  }
  if (result.failures > 0) {
    rows.push(['-', 'failed', String(result.failures), JSON.stringify(result.errors)]);
  }
  return table(rows);
}

/** "node-1, node-2" for the ToR's next hops (none: "no route"). */
export function nextHopNames(hops: readonly TorNextHop[]): string {
  if (hops.length === 0) return 'no route';
  return hops.map((h) => h.node ?? h.gateway).join(', ');
}

/**
 * The ToR's `ip route show` output, indented, with the node each next hop is
 * (`nexthop via 192.0.2.3 dev … weight 1   ← node-1`).
 */
export function annotatedRoute(ipRouteOutput: string, hops: readonly TorNextHop[]): string[] {
  return ipRouteOutput
    .trimEnd()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const hop = hops.find((h) =>
        new RegExp(`via ${h.gateway.replace(/\./g, '\\.')}( |$)`).test(line),
      );
      const text = `    ${line.replace(/\t/g, '  ')}`;
      return hop?.node === undefined ? text : `${text.padEnd(64)} ← ${hop.node}`;
    });
}

/** Seconds or milliseconds, whichever reads better. */
export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
