import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseOutcome, MetricSpec, RunOutcome } from './model.ts';
import { percentile, type Summary } from './stats.ts';

/** Plain-text tables for the terminal, and the JSON results files. */

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** "median (min–max)", or just the value for a single sample. */
export function formatSummary(summary: Summary | undefined, metric: MetricSpec): string {
  if (summary === undefined) return '–';
  const f = (v: number): string => formatNumber(v, metric.digits ?? 0);
  if (summary.count === 1) return f(summary.median);
  return `${f(summary.median)} (${f(summary.min)}–${f(summary.max)})`;
}

const PERCENTILE_COLUMNS = [
  ['p50', 50],
  ['p90', 90],
  ['p99', 99],
  ['max', 100],
  ['min', 0],
] as const;

function metricHeadings(metric: MetricSpec): string[] {
  const label = metric.unit === '' ? metric.label : `${metric.label} [${metric.unit}]`;
  if (metric.percentiles !== true) return [label];
  return PERCENTILE_COLUMNS.map(([name], i) => (i === 0 ? `${label} ${name}` : name));
}

function metricCells(
  metric: MetricSpec,
  summary: Summary | undefined,
  samples: ReadonlyArray<Record<string, number>>,
): string[] {
  if (metric.percentiles !== true) return [formatSummary(summary, metric)];
  const values = samples.flatMap((s) => {
    const value = s[metric.key];
    return value === undefined ? [] : [value];
  });
  return PERCENTILE_COLUMNS.map(([, p]) => {
    const value = percentile(values, p);
    return value === undefined ? '–' : formatNumber(value, metric.digits ?? 0);
  });
}

export function formatBenchmarkHeader(id: string, title: string): string {
  const heading = `${id}: ${title}`;
  return `\n${heading}\n${'='.repeat(heading.length)}\n`;
}

function table(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row, r) =>
      row
        .map((cell, i) =>
          i === 0 || r === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}\n`)
    .join('');
}

export function formatCase(outcome: CaseOutcome): string {
  const header = ['contender', ...outcome.metrics.flatMap((m) => metricHeadings(m)), 'reps'];
  const rows: string[][] = [header];
  const remarks: string[] = [];
  for (const c of outcome.contenders) {
    if (c.status !== 'ok') {
      rows.push([
        c.label,
        ...outcome.metrics.flatMap((m) => metricHeadings(m).map(() => '–')),
        '0',
      ]);
      remarks.push(`${c.label}: ${c.status}: ${c.reason ?? ''}`);
      continue;
    }
    rows.push([
      c.label,
      ...outcome.metrics.flatMap((m) => metricCells(m, c.summary[m.key], c.samples)),
      String(c.samples.length),
    ]);
    const notes = Object.entries(c.notes);
    if (notes.length > 0)
      remarks.push(`${c.label}: ${notes.map(([k, v]) => `${k} ${v}`).join('; ')}`);
    // Keys like "announce.packMs": a contender's own phase timings, printed as medians.
    const phases = new Map<string, string[]>();
    for (const [key, summary] of Object.entries(c.summary)) {
      const dot = key.indexOf('.');
      if (dot <= 0) continue;
      const group = key.slice(0, dot);
      const part = `${key.slice(dot + 1)} ${summary.median.toFixed(1)}`;
      phases.set(group, [...(phases.get(group) ?? []), part]);
    }
    for (const [group, parts] of phases) {
      remarks.push(`${c.label}: ${group} phases (median): ${parts.join(', ')}`);
    }
  }
  let text = `\n${outcome.title} [${outcome.id}]\n${table(rows)}`;
  text += outcome.metrics.some((m) => m.percentiles === true)
    ? '  median (min–max) over the repetitions; pNN: percentiles by nearest rank\n'
    : '  median (min–max) over the repetitions\n';
  // Ratios with a side that did not run are kept in the JSON (null) but not printed.
  const ratios = outcome.ratios.filter((r) => r.value !== null);
  if (ratios.length > 0) {
    const width = Math.max(...ratios.map((r) => r.label.length));
    text += '  ratios of medians:\n';
    for (const r of ratios) text += `    ${r.label.padEnd(width)}  ${r.value!.toFixed(2)}\n`;
  }
  for (const remark of remarks) text += `  - ${remark}\n`;
  for (const note of outcome.notes) text += `  note: ${note}\n`;
  return text;
}

/** A file-name-safe UTC timestamp: 2025-11-26T01-12-27Z. */
export function fileTimestamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
}

/** Writes `<timestamp>.json` and `latest.json` into `dir`; returns the first path. */
export function writeResults(run: RunOutcome, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(run, null, 2)}\n`;
  const path = join(dir, `${fileTimestamp(run.startedAt)}.json`);
  writeFileSync(path, json);
  writeFileSync(join(dir, 'latest.json'), json);
  return path;
}

export function formatMachine(run: RunOutcome): string {
  const m = run.machine;
  const peers = Object.entries(m.peers)
    .map(([name, version]) => `${name}: ${version ?? 'not installed'}`)
    .join('; ');
  return (
    `machine: ${m.cpuModel}, ${m.cores} cores, ${formatNumber(m.memoryMiB)} MiB, ${m.kernel}; ` +
    `Node ${m.node}; load average ${m.loadAverage.start.toFixed(2)} → ${m.loadAverage.end?.toFixed(2) ?? '?'}\n` +
    `peers: ${peers}\n`
  );
}
