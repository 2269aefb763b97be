import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { messageVectors, readVector } from '../../../test/support/bgp-golden-vectors.ts';
import { buildProgram } from '../program.ts';
import { splitMessages } from './bgp-decode.ts';

interface Run {
  out: string;
  err: string;
  exitCode: number | undefined;
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

async function run(args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (t) => (out += t), stderr: (t) => (err += t) });
  // Subcommands copy settings when created, so each needs its own override.
  for (const command of everyCommand(program)) command.exitOverride();
  try {
    await program.parseAsync(['bgp', 'decode', ...args], { from: 'user' });
    return { out, err, exitCode: undefined };
  } catch (e) {
    return { out, err, exitCode: (e as { exitCode: number }).exitCode };
  }
}

function json(out: string): Record<string, unknown>[] {
  return JSON.parse(out) as Record<string, unknown>[];
}

const M = 'ff'.repeat(16);

describe('ironlb bgp decode', () => {
  it('decodes the OPENs captured from BIRD and FRR, naming unknown capabilities', async () => {
    const bird = await run([readVector('open-bird.hex')]);
    assert.equal(bird.exitCode, undefined, bird.err);
    const [open] = json(bird.out);
    assert.equal(open?.['type'], 'open');
    assert.equal(open?.['myAs'], 64512);
    assert.equal(open?.['bgpIdentifier'], '192.0.2.1');
    const frr = await run([readVector('open-frr.hex')]);
    const capabilities = json(frr.out)[0]?.['capabilities'] as Record<string, unknown>[];
    assert.ok(capabilities.some((c) => c['kind'] === 'four-octet-as' && c['asn'] === 64512));
    assert.ok(
      capabilities.some((c) => c['name'] === 'FQDN' && c['value'] === '0763617074757265' + '00'),
    );
  });

  it('takes messages with or without the marker, split over arguments, with spaces and colons', async () => {
    const { out, exitCode } = await run(['0013', '04', `${M}:00:17:05:00:01:00:01`, '0x00130x04']);
    assert.equal(exitCode, undefined);
    assert.deepEqual(json(out), [
      { type: 'keepalive' },
      { type: 'route-refresh', afi: 1, safi: 1, subtype: 0 },
      { type: 'keepalive' },
    ]);
  });

  it('prints communities readably, notifications with names and shutdown communication', async () => {
    const full = messageVectors.find((v) =>
      v.name.startsWith('UPDATE: ipv4 announcement with every'),
    )!;
    const shutdown = messageVectors.find((v) => v.name.includes('shutdown communication'))!;
    const { out, exitCode } = await run([full.hex, shutdown.hex]);
    assert.equal(exitCode, undefined);
    const [update, notification] = json(out);
    const attributes = update?.['attributes'] as Record<string, unknown>;
    assert.deepEqual(attributes['communities'], ['65000:100', '65535:65281']);
    assert.deepEqual(attributes['largeCommunities'], ['65000:1:2']);
    assert.deepEqual(attributes['unknown'], [
      { typeCode: 99, name: 'UNKNOWN_99', flags: 0xe0, value: 'abcd' },
    ]);
    assert.equal(notification?.['subcodeName'], 'ADMINISTRATIVE_SHUTDOWN');
    assert.equal(notification?.['shutdownCommunication'], 'maintenance');
  });

  it('lists RFC 7606 errors of an UPDATE that is still accepted', async () => {
    const { out, exitCode } = await run([`${M} 001e 02 0000 0007 40 01 01 05 40 02 00`]);
    assert.equal(exitCode, undefined);
    const errors = json(out)[0]?.['errors'] as Record<string, unknown>[];
    assert.equal(errors[0]?.['action'], 'treat-as-withdraw');
    assert.deepEqual(errors[0]?.['notification'], {
      code: 3,
      subcode: 6,
      codeName: 'UPDATE_MESSAGE',
      subcodeName: 'INVALID_ORIGIN_ATTRIBUTE',
      data: '40010105',
    });
  });

  it('--two-octet-as and --external change how an UPDATE is read', async () => {
    const update = `${M} 0024 02 0000 000d 40 01 01 00 40 02 06 02 02 fde9 fdea 00`;
    const four = json((await run([update])).out)[0]!;
    assert.equal(
      (four['errors'] as unknown[]).length,
      1,
      'two 2-octet ASNs overrun a 4-octet read',
    );
    const two = json((await run(['--two-octet-as', update])).out)[0]!;
    assert.deepEqual((two['attributes'] as Record<string, unknown>)['asPath'], [
      { type: 'sequence', asns: [65001, 65002] },
    ]);
    const localPref = `${M} 001e 02 0000 0007 40 05 04 00000064`;
    assert.equal(
      json((await run(['--external', localPref])).out)[0]?.['errors'] !== undefined,
      true,
    );
    assert.equal(json((await run([localPref])).out)[0]?.['errors'], undefined);
  });

  it('invalid input prints the NOTIFICATION it would cause and exits 1, after the messages before it', async () => {
    const { out, err, exitCode } = await run(['0013 04', `${M} 0013 09`]);
    assert.equal(exitCode, 1);
    const [keepalive, error] = json(out);
    assert.deepEqual(keepalive, { type: 'keepalive' });
    assert.deepEqual(error?.['notification'], {
      code: 1,
      subcode: 3,
      codeName: 'MESSAGE_HEADER',
      subcodeName: 'BAD_MESSAGE_TYPE',
      data: '09',
    });
    assert.match(err, /NOTIFICATION MESSAGE_HEADER \/ BAD_MESSAGE_TYPE \(1\/3\) data 09/);
  });

  it('a truncated message is a Bad Message Length; input that is not hex exits 2', async () => {
    const truncated = await run([`${M} 0020 02 0000`]);
    assert.equal(truncated.exitCode, 1);
    assert.match(truncated.err, /BAD_MESSAGE_LENGTH/);
    const garbage = await run(['not-hex']);
    assert.equal(garbage.exitCode, 2);
    assert.match(garbage.err, /not hexadecimal/);
    assert.equal((await run(['abc'])).exitCode, 2);
  });

  it('splitMessages keeps a bad length as one last message for the decoder to refuse', () => {
    assert.deepEqual(
      splitMessages(Buffer.from('0013040001', 'hex')).map((m) => m.toString('hex')),
      [`${M}001304`, `${M}0001`],
    );
  });

  it('the real bin decodes a captured OPEN from stdin', () => {
    const bin = fileURLToPath(new URL('../../../bin/ironlb.js', import.meta.url));
    const out = execFileSync(process.execPath, [bin, 'bgp', 'decode'], {
      input: readVector('open-bird.hex'),
      encoding: 'utf8',
    });
    assert.equal(json(out)[0]?.['holdTime'], 9);
    const bad = spawnSync(process.execPath, [bin, 'bgp', 'decode', '-'], {
      input: `${M} 0012 04`,
      encoding: 'utf8',
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /BAD_MESSAGE_LENGTH/);
  });
});
