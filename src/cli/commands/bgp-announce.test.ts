import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { modernCapabilities, ScriptedPeer } from '../../../test/support/scripted-peer.ts';
import { routeChangesOf } from '../../bgp/wire/route-changes.ts';
import { memoryLogger } from '../../daemon/test-logger.ts';
import { runCli } from '../test-cli.ts';
import {
  type AnnounceFlags,
  announcedRoutes,
  parseHostPort,
  parsePrefixList,
  sessionOptionsOf,
} from './bgp-announce.ts';
import { runAnnounce } from './bgp-announce-run.ts';

// Loopback addresses of this file: 127.0.32.x.
const NO_SOURCE: AnnounceFlags = {
  peer: '127.0.32.2:1179',
  localAs: 64698,
  peerAs: 64699,
  prefix: ['192.0.2.1/32'],
};
const BASE: AnnounceFlags = { ...NO_SOURCE, source: '127.0.32.1' };

describe('ironlb bgp announce', () => {
  it('reads ADDR[:PORT] for both families', () => {
    assert.deepEqual(parseHostPort('192.0.2.1', 'x'), { address: '192.0.2.1', port: undefined });
    assert.deepEqual(parseHostPort('192.0.2.1:1179', 'x'), { address: '192.0.2.1', port: 1179 });
    assert.deepEqual(parseHostPort('2001:DB8::1', 'x'), {
      address: '2001:db8::1',
      port: undefined,
    });
    assert.deepEqual(parseHostPort('[2001:db8::1]:1179', 'x'), {
      address: '2001:db8::1',
      port: 1179,
    });
    for (const bad of ['nowhere', '192.0.2.1:99999', '[2001:db8::1]:x', '192.0.2.1:']) {
      assert.throws(() => parseHostPort(bad, '--peer'), InvalidArgumentError, bad);
    }
  });

  it('builds one route per prefix, with the next hop of its family', () => {
    const routes = [
      ...announcedRoutes({
        ...BASE,
        prefix: ['192.0.2.1/32', '2001:db8::1/128', '192.0.2.2/32'],
        nextHop: ['192.0.2.254', '2001:db8::fe'],
        community: ['64698:1'],
        largeCommunity: ['64698:1:2'],
        localPref: 200,
        med: 5,
      }),
    ];
    assert.deepEqual(routes[0], {
      prefix: '192.0.2.1/32',
      attributes: {
        communities: ['64698:1'],
        largeCommunities: ['64698:1:2'],
        localPref: 200,
        med: 5,
        nextHop: '192.0.2.254',
      },
    });
    assert.equal(routes[1]?.attributes.nextHop, '2001:db8::fe');
    // Routes of a family share one attributes object (cheap for the Adj-RIB-Out).
    assert.equal(routes[0]?.attributes, routes[2]?.attributes);
    assert.throws(
      () => announcedRoutes({ ...BASE, nextHop: ['192.0.2.1', '192.0.2.2'] }),
      /once per address family/,
    );
    assert.throws(() => announcedRoutes({ ...BASE, nextHop: ['x'] }), /not an address/);
  });

  it('maps the flags onto session options', () => {
    const { options, listen } = sessionOptionsOf({
      ...BASE,
      password: 'secret',
      holdTime: 9,
      connectRetry: 2,
      ttlSecurity: true,
      multihop: 3,
      gracefulRestart: 60,
      restarting: true,
    });
    assert.deepEqual(options, {
      localAs: 64698,
      peerAs: 64699,
      routerId: '127.0.32.1',
      peerAddress: '127.0.32.2',
      peerPort: 1179,
      localAddress: '127.0.32.1',
      holdTimeSeconds: 9,
      connectRetryTimeSeconds: 2,
      password: 'secret',
      ttlSecurity: true,
      multihopTtl: 3,
      gracefulRestart: { restartTimeSeconds: 60, restarting: true },
    });
    assert.equal(listen, undefined);
    const passive = sessionOptionsOf({
      ...NO_SOURCE,
      routerId: '10.0.0.1',
      passive: true,
    });
    assert.deepEqual(passive.listen, { address: '::', port: 179 });
    assert.equal(passive.options.passive, true);
    const listening = sessionOptionsOf({ ...NO_SOURCE, listen: '127.0.32.9:1790' });
    assert.deepEqual(listening.listen, { address: '127.0.32.9', port: 1790 });
    assert.equal(listening.options.routerId, '127.0.32.9');
    assert.throws(
      () => sessionOptionsOf({ ...BASE, source: '2001:db8::1' }),
      /--router-id is needed/,
    );
  });

  it('holds the session until stopped, then sends Cease and closes', async (t) => {
    const peer = await ScriptedPeer.listen('127.0.32.2');
    t.after(() => peer.close());
    const { logger, lines } = memoryLogger();
    let stop: (reason: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const running = runAnnounce(
      {
        ...BASE,
        peer: `127.0.32.2:${peer.port}`,
        prefix: ['192.0.2.1/32', '2001:db8::1/128'],
        community: ['64698:7'],
      },
      logger,
      stopped,
    );
    const link = await peer.accept();
    await link.handshake({ as: 64699, id: '10.0.0.2', capabilities: modernCapabilities(64699) });
    const announced: string[] = [];
    for (;;) {
      const message = await link.receive();
      if (message.type !== 'update') continue;
      const { changes } = routeChangesOf(message);
      if (changes.length === 0 && message.attributes.mpUnreach !== undefined) break;
      for (const change of changes) announced.push(...change.announced);
    }
    assert.deepEqual(announced.sort(), ['192.0.2.1/32', '2001:db8::1/128']);
    stop('SIGTERM');
    await running;
    const cease = await link.receive();
    assert.equal(cease.type === 'notification' && `${cease.code}/${cease.subcode}`, '6/2');
    const messages = lines().map((l) => l['msg']);
    for (const expected of [
      'OpenConfirm → Established',
      'session established',
      'routes sent',
      'stopping',
      'stopped',
    ]) {
      assert.ok(messages.includes(expected), `${expected} in ${messages.join(', ')}`);
    }
  });

  it('is registered under `ironlb bgp` and refuses bad flags as usage errors', async () => {
    const { err, exitCode } = await runCli([
      'bgp',
      'announce',
      '--peer',
      '127.0.32.2',
      '--local-as',
      'x',
    ]);
    assert.equal(exitCode, 1);
    assert.match(err, /--local-as must be a whole number/);
  });

  it('reads prefix lists: whitespace-separated, # comments, blank lines', () => {
    assert.deepEqual(
      parsePrefixList('# routes\n192.0.2.1/32  192.0.2.2/32\n\n\t2001:db8::1/128 # v6\n#x\n'),
      ['192.0.2.1/32', '192.0.2.2/32', '2001:db8::1/128'],
    );
    assert.deepEqual(parsePrefixList(''), []);
    assert.deepEqual(parsePrefixList('  \n# only a comment\n'), []);
  });

  it('refuses to start with nothing to announce, or an unreadable list', async () => {
    const base = ['bgp', 'announce', '--peer', '127.0.32.2', '--local-as', '1', '--peer-as', '2'];
    for (const [args, message] of [
      [base, /nothing to announce: give --prefix or --prefixes-from/],
      [[...base, '--prefixes-from', '/nonexistent/prefixes.txt'], /ENOENT|no such file/],
    ] as const) {
      const { err, exitCode } = await runCli(args);
      assert.equal(exitCode, 2);
      assert.match(err, message);
    }
  });
});
