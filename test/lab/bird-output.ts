/** Parsers for `birdc` text output (BIRD 2 has no JSON output). */

export interface BirdProtocolStatus {
  readonly name: string;
  readonly proto: string;
  /** `up`, `start`, `down`, … */
  readonly state: string;
  /** BGP: `Established`, `Active`, `Passive`, `Connect`, … plus any error text. */
  readonly info: string;
}

/**
 * Parses `show protocols`: a header line, then one line per protocol:
 * `name proto table state since info…` (since is a time, sometimes with a date).
 */
export function parseBirdProtocols(text: string): Map<string, BirdProtocolStatus> {
  const result = new Map<string, BirdProtocolStatus>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [name = '', proto = '', , state = ''] = fields;
    if (name === 'Name' || name === 'BIRD') continue;
    // After `since` (time, optionally preceded by a date) comes the info column.
    let infoStart = 5;
    if (/^\d{4}-\d{2}-\d{2}$/.test(fields[4] ?? '')) infoStart = 6;
    result.set(name, { name, proto, state, info: fields.slice(infoStart).join(' ') });
  }
  return result;
}

/** True when the BGP protocol is up and its session established. */
export function isEstablished(status: BirdProtocolStatus | undefined): boolean {
  return status !== undefined && status.state === 'up' && status.info.startsWith('Established');
}
