/**
 * Captures the OPEN message a real BGP daemon sends: a plain TCP server on
 * 127.0.0.1 plays the peer, BIRD 2 or FRR's bgpd is configured to connect to
 * it, and the first message received is returned. Loopback only; the daemon
 * is always stopped and its temporary directory removed.
 *
 * `node test/support/bgp-capture.ts` re-records test/vectors/open-*.hex.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageReader } from '../../src/bgp/wire/index.ts';

export type CaptureDaemon = 'bird' | 'frr';

const BGPD = '/usr/lib/frr/bgpd';

/** Why a daemon cannot be captured here, or undefined when it can. */
export function captureUnavailable(daemon: CaptureDaemon): string | undefined {
  if (daemon === 'bird') {
    return spawnSync('bird', ['--version']).error === undefined
      ? undefined
      : 'bird is not installed';
  }
  if (!existsSync(BGPD)) return 'FRR bgpd is not installed';
  if (process.getuid?.() !== 0) return 'FRR bgpd must be started as root to switch to the frr user';
  return spawnSync('id', ['-u', 'frr']).status === 0 ? undefined : 'there is no frr user';
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function birdConfig(peerPort: number, listenPort: number): string {
  return `log stderr all;
router id 192.0.2.1;
protocol device {}
protocol bgp capture {
  local 127.0.0.1 port ${listenPort} as 64512;
  neighbor 127.0.0.1 port ${peerPort} as 64513;
  multihop;
  strict bind yes;
  connect delay time 1; connect retry time 1; error wait time 1,5; hold time 9;
  graceful restart on;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}
`;
}

function frrConfig(peerPort: number): string {
  return `frr defaults traditional
hostname capture
!
router bgp 64512
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 neighbor 127.0.0.1 remote-as 64513
 neighbor 127.0.0.1 port ${peerPort}
 neighbor 127.0.0.1 timers 3 9
 neighbor 127.0.0.1 timers connect 1
 neighbor 127.0.0.1 ebgp-multihop 2
 address-family ipv6 unicast
  neighbor 127.0.0.1 activate
 exit-address-family
!
`;
}

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
}

async function startDaemon(
  daemon: CaptureDaemon,
  dir: string,
  peerPort: number,
): Promise<ChildProcess> {
  if (daemon === 'bird') {
    const config = join(dir, 'bird.conf');
    writeFileSync(config, birdConfig(peerPort, await freePort()));
    return spawn(
      'bird',
      ['-f', '-c', config, '-s', join(dir, 'bird.ctl'), '-P', join(dir, 'bird.pid')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  }
  const config = join(dir, 'bgpd.conf');
  writeFileSync(config, frrConfig(peerPort));
  // bgpd drops to the frr user, which must own its config, pid file and vty socket directory.
  const [uid, gid] = [idOf('-u', 'frr'), idOf('-g', 'frr')];
  for (const path of [dir, config]) chownSync(path, uid, gid);
  return spawn(
    BGPD,
    [
      '-p',
      '0',
      '-Z',
      '-n',
      '-P',
      '0',
      '-f',
      config,
      '-i',
      join(dir, 'bgpd.pid'),
      '--vty_socket',
      dir,
      '-u',
      'frr',
      '-g',
      'frr',
      '--log',
      'stdout',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Stops the daemon: SIGTERM, then SIGKILL after a bounded wait. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** The first message `daemon` sends to a peer on 127.0.0.1 (its OPEN), whole. */
export async function captureOpen(daemon: CaptureDaemon, timeoutMs = 15_000): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), `ironlb-capture-${daemon}-`));
  const server = createServer();
  let child: ChildProcess | undefined;
  let output = '';
  try {
    const received = new Promise<Buffer>((resolve, reject) => {
      server.on('connection', (socket) => {
        const reader = new MessageReader();
        socket.on('data', (chunk: Buffer) => {
          try {
            reader.push(chunk);
            const message = reader.next();
            if (message !== undefined) {
              resolve(Buffer.from(message));
              socket.destroy();
            }
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
        socket.on('error', () => undefined);
      });
    });
    const port = await listen(server);
    child = await startDaemon(daemon, dir, port);
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `${daemon} sent no OPEN within ${timeoutMs} ms; its output:\n${output.slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
    });
    const exited = new Promise<never>((_, reject) => {
      child?.once('exit', (code, signal) =>
        reject(
          new Error(
            `${daemon} exited (${code ?? signal}) before sending an OPEN:\n${output.slice(-2000)}`,
          ),
        ),
      );
    });
    try {
      return await Promise.race([received, timeout, exited]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    if (child !== undefined) await stop(child);
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const daemon of ['bird', 'frr'] as const) {
    const why = captureUnavailable(daemon);
    if (why !== undefined) {
      process.stdout.write(`skipping ${daemon}: ${why}\n`);
      continue;
    }
    const open = await captureOpen(daemon);
    writeFileSync(
      new URL(`../vectors/open-${daemon}.hex`, import.meta.url),
      `${open.toString('hex')}\n`,
    );
    process.stdout.write(`recorded test/vectors/open-${daemon}.hex (${open.length} octets)\n`);
  }
}
