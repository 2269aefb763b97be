import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Route, RouteAttributes } from '../../bgp/route.ts';
import { parseAddressOrUndefined } from '../../bgp/route-prefix.ts';
import type { SessionOptions } from '../../bgp/session-options.ts';
import { describeError } from '../../common/errors.ts';
import { collectArgument, wholeNumberArgument } from '../arguments.ts';
import { loadCommand } from '../load-command.ts';
import type { CliIo } from '../program.ts';
import { readStdin } from '../stdin.ts';

/**
 * `ironlb bgp announce`: a standalone speaker. Holds one session, keeps the
 * prefixes announced until SIGTERM/SIGINT, then sends Cease and exits 0.
 * Logs (pino JSON) go to stderr.
 */

export interface AnnounceFlags {
  readonly peer: string;
  readonly localAs: number;
  readonly peerAs: number;
  readonly prefix: readonly string[];
  readonly nextHop?: readonly string[];
  readonly community?: readonly string[];
  readonly largeCommunity?: readonly string[];
  readonly localPref?: number;
  readonly med?: number;
  readonly password?: string;
  readonly passive?: boolean;
  readonly listen?: string;
  readonly routerId?: string;
  readonly source?: string;
  readonly holdTime?: number;
  readonly connectRetry?: number;
  readonly ttlSecurity?: boolean;
  readonly multihop?: number;
  readonly gracefulRestart?: number;
  readonly restarting?: boolean;
  readonly logLevel?: string;
}

export interface HostPort {
  readonly address: string;
  readonly port: number | undefined;
}

/** "192.0.2.1", "192.0.2.1:1179", "2001:db8::1", "[2001:db8::1]:1179". */
export function parseHostPort(text: string, what: string): HostPort {
  let address = text;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket !== null) {
    address = bracket[1] ?? '';
    portText = bracket[2];
  } else if (text.split(':').length === 2) {
    [address = '', portText] = text.split(':');
  }
  const parsed = parseAddressOrUndefined(address);
  if (parsed === undefined) throw new InvalidArgumentError(`${what} "${text}" is not ADDR[:PORT]`);
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65535) {
      throw new InvalidArgumentError(`${what} "${text}" has a bad port`);
    }
  }
  return { address: parsed.text, port };
}

/**
 * The routes the flags describe: every prefix with the same attributes (next
 * hop by family). The flags are checked at once; the routes are made one at a
 * time as the Adj-RIB-Out reads them, so 100k of them are never all alive.
 */
export function announcedRoutes(flags: AnnounceFlags): Iterable<Route> {
  const nextHops = new Map<string, string>();
  for (const hop of flags.nextHop ?? []) {
    const parsed = parseAddressOrUndefined(hop);
    if (parsed === undefined)
      throw new InvalidArgumentError(`--next-hop "${hop}" is not an address`);
    if (nextHops.has(parsed.family)) {
      throw new InvalidArgumentError('--next-hop may be given once per address family');
    }
    nextHops.set(parsed.family, parsed.text);
  }
  const common: RouteAttributes = {
    ...(flags.community !== undefined && { communities: flags.community }),
    ...(flags.largeCommunity !== undefined && { largeCommunities: flags.largeCommunity }),
    ...(flags.localPref !== undefined && { localPref: flags.localPref }),
    ...(flags.med !== undefined && { med: flags.med }),
  };
  const byFamily = new Map<string, RouteAttributes>();
  const attributesOf = (prefix: string): RouteAttributes => {
    const family = prefix.includes(':') ? 'ipv6-unicast' : 'ipv4-unicast';
    let attributes = byFamily.get(family);
    if (attributes === undefined) {
      const hop = nextHops.get(family);
      attributes = hop === undefined ? common : { ...common, nextHop: hop };
      byFamily.set(family, attributes);
    }
    return attributes;
  };
  const prefixes = flags.prefix;
  return {
    *[Symbol.iterator]() {
      for (const prefix of prefixes) yield { prefix, attributes: attributesOf(prefix) };
    },
  };
}

/** Session options from the flags (without the listener, which needs I/O). */
export function sessionOptionsOf(flags: AnnounceFlags): {
  options: SessionOptions;
  listen: HostPort | undefined;
} {
  const peer = parseHostPort(flags.peer, '--peer');
  const source = flags.source === undefined ? undefined : parseHostPort(flags.source, '--source');
  const listen = flags.listen === undefined ? undefined : parseHostPort(flags.listen, '--listen');
  const routerId =
    flags.routerId ??
    (source !== undefined && !source.address.includes(':') ? source.address : undefined) ??
    (listen !== undefined && !listen.address.includes(':') && listen.address !== '0.0.0.0'
      ? listen.address
      : undefined);
  if (routerId === undefined) {
    throw new InvalidArgumentError('--router-id is needed unless --source is an IPv4 address');
  }
  const options: SessionOptions = {
    localAs: flags.localAs,
    peerAs: flags.peerAs,
    routerId,
    peerAddress: peer.address,
    peerPort: peer.port ?? 179,
    ...(source !== undefined && { localAddress: source.address }),
    ...(source?.port !== undefined && { localPort: source.port }),
    ...(flags.passive === true && { passive: true }),
    ...(flags.holdTime !== undefined && { holdTimeSeconds: flags.holdTime }),
    ...(flags.connectRetry !== undefined && { connectRetryTimeSeconds: flags.connectRetry }),
    ...(flags.password !== undefined && { password: flags.password }),
    ...(flags.ttlSecurity === true && { ttlSecurity: true }),
    ...(flags.multihop !== undefined && { multihopTtl: flags.multihop }),
    ...(flags.gracefulRestart !== undefined && {
      gracefulRestart: {
        restartTimeSeconds: flags.gracefulRestart,
        restarting: flags.restarting === true,
      },
    }),
  };
  const needsListener = flags.passive === true || listen !== undefined;
  return {
    options,
    listen: needsListener
      ? {
          address: listen?.address ?? source?.address ?? '::',
          port: listen?.port ?? 179,
        }
      : undefined,
  };
}

/** `ironlb bgp announce`. */
export function registerBgpAnnounce(bgp: Command, io: CliIo): void {
  bgp
    .command('announce')
    .description(
      'Hold a BGP session with one peer and announce prefixes until SIGTERM/SIGINT (then Cease and exit 0). Logs JSON lines to stderr.',
    )
    .requiredOption('--peer <addr[:port]>', 'the peer to connect to (port 179 by default)')
    .requiredOption(
      '--local-as <n>',
      'our AS number',
      wholeNumberArgument('--local-as', 1, 0xffffffff),
    )
    .requiredOption(
      '--peer-as <n>',
      "the peer's AS number",
      wholeNumberArgument('--peer-as', 1, 0xffffffff),
    )
    .option('--prefix <cidr>', 'a prefix to announce (repeatable)', collectArgument)
    .option(
      '--prefixes-from <file>',
      'announce the prefixes listed in a file too (whitespace-separated, # comments; - for stdin)',
    )
    .option('--next-hop <addr>', 'next hop (one per family; default: our address)', collectArgument)
    .option('--community <a:b>', 'a community, or a well-known name (repeatable)', collectArgument)
    .option('--large-community <g:l1:l2>', 'a large community (repeatable)', collectArgument)
    .option(
      '--local-pref <n>',
      'LOCAL_PREF (iBGP only)',
      wholeNumberArgument('--local-pref', 0, 0xffffffff),
    )
    .option('--med <n>', 'MULTI_EXIT_DISC', wholeNumberArgument('--med', 0, 0xffffffff))
    .option('--password <secret>', 'TCP-MD5 password (RFC 2385)')
    .option('--passive', 'never connect; wait for the peer on --listen')
    .option('--listen <addr[:port]>', 'accept connections from the peer here ([::]:179 by default)')
    .option('--router-id <a.b.c.d>', 'BGP identifier (default: --source when IPv4)')
    .option('--source <addr[:port]>', 'source address (and port) of our connections')
    .option(
      '--hold-time <s>',
      'proposed hold time (0 or 3-65535)',
      wholeNumberArgument('--hold-time', 0, 65535),
    )
    .option(
      '--connect-retry <s>',
      'seconds per connection attempt (RFC 4271 ConnectRetryTime, default 120)',
      wholeNumberArgument('--connect-retry', 1, 65535),
    )
    .option('--ttl-security', 'GTSM (RFC 5082): send TTL 255, accept TTL ≥ 254 only')
    .option(
      '--multihop <n>',
      'TTL of our packets (eBGP multihop)',
      wholeNumberArgument('--multihop', 1, 255),
    )
    .option(
      '--graceful-restart <s>',
      'advertise graceful restart with this restart time (RFC 4724)',
      wholeNumberArgument('--graceful-restart', 0, 4095),
    )
    .option('--restarting', 'set the Restart State (R) bit: this speaker just restarted')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .action(async function (this: Command, given: CommandLineFlags) {
      let flags: AnnounceFlags;
      try {
        flags = { ...given, prefix: await prefixesOf(given) };
      } catch (err) {
        this.error(`error: ${describeError(err)}`, { exitCode: 2 });
      }
      if (flags.prefix.length === 0) {
        this.error('error: nothing to announce: give --prefix or --prefixes-from', {
          exitCode: 2,
        });
      }
      const { createLogger, runAnnounce } = await loadCommand(
        () => import('./bgp-announce-run.ts'),
      );
      const logger = createLogger({
        name: 'ironlb-bgp-announce',
        level: (flags.logLevel ?? 'info') as 'info',
        destination: 2,
      });
      const stopped = new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      try {
        await runAnnounce(flags, logger, stopped);
      } catch (err) {
        if (err instanceof InvalidArgumentError)
          this.error(`error: ${err.message}`, { exitCode: 2 });
        io.stderr(`error: ${describeError(err)}\n`);
        this.error('', { exitCode: 1, code: 'ironlb.bgp.announce' });
      }
      process.exitCode = 0;
    });
}

type CommandLineFlags = Omit<AnnounceFlags, 'prefix'> & {
  readonly prefix?: readonly string[];
  readonly prefixesFrom?: string;
};

/** The prefixes of a list file: separated by whitespace, `#` starts a comment. */
export function parsePrefixList(text: string): string[] {
  // One pass over the text (a list may hold 100k prefixes): no array per line.
  const words = text.replace(/#[^\n]*/g, '').trim();
  return words === '' ? [] : words.split(/\s+/);
}

/** --prefix values, then those of --prefixes-from (a file, or - for stdin). */
async function prefixesOf(flags: CommandLineFlags): Promise<string[]> {
  const given = [...(flags.prefix ?? [])];
  if (flags.prefixesFrom === undefined) return given;
  const text =
    flags.prefixesFrom === '-' ? await readStdin() : await readFile(flags.prefixesFrom, 'utf8');
  // concat, not push(...list): a million arguments would overflow the stack.
  return given.concat(parsePrefixList(text));
}
