/**
 * A second opinion on our UPDATE encodings: ExaBGP decodes what we encode
 * (`exabgp --decode HEX`) and must read the same routes and attributes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  community,
  createEndOfRib,
  createWireContext,
  encodeMessage,
  MessageReader,
  packAnnouncements,
  packWithdrawals,
} from '../src/bgp/wire/index.ts';
import type { PathAttributes } from '../src/bgp/wire/index.ts';

const missing =
  spawnSync('exabgp', ['--version']).error !== undefined ? 'exabgp is not installed' : undefined;
const dir = mkdtempSync(join(tmpdir(), 'ironlb-exabgp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ExaRoute {
  readonly nlri: string;
}

/** The part of ExaBGP's JSON we compare. */
interface ExaMessage {
  readonly update?: {
    readonly attribute: Record<string, unknown>;
    readonly announce?: Record<string, Record<string, ExaRoute[]>>;
    readonly withdraw?: Record<string, ExaRoute[]>;
  };
  readonly eor?: { readonly afi: string; readonly safi: string };
}

interface ExaJson {
  readonly neighbor: { readonly message: ExaMessage };
}

function nlris(routes: readonly ExaRoute[] | undefined): string[] {
  return (routes ?? []).map((r) => r.nlri);
}

/** ExaBGP's JSON for each message, in order. */
function exabgpDecode(messages: readonly Buffer[]): ExaMessage[] {
  const config = join(dir, 'exabgp.conf');
  writeFileSync(
    config,
    'neighbor 127.0.0.1 {\n  router-id 192.0.2.9;\n  local-address 127.0.0.1;\n  local-as 65000;\n  peer-as 65001;\n}\n',
  );
  const args = messages.flatMap((m) => ['--decode', m.toString('hex')]);
  const result = spawnSync('exabgp', [...args, config], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lines = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((l) => l.includes('update json'));
  assert.equal(
    lines.length,
    messages.length,
    `exabgp decoded ${lines.length} of ${messages.length}:\n${result.stderr}`,
  );
  return lines.map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as ExaJson).neighbor.message);
}

function split(bytes: Buffer): Buffer[] {
  const reader = new MessageReader();
  reader.push(bytes);
  return reader.drain();
}

describe(
  'ExaBGP decodes our UPDATEs to the same routes',
  { skip: missing, timeout: 30_000 },
  () => {
    it('IPv4 and IPv6 announcements, withdrawals and End-of-RIB', () => {
      const ctx = createWireContext({ external: false });
      const attributes: PathAttributes = {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [4200000001, 65002] }],
        nextHop: '192.0.2.1',
        multiExitDisc: 50,
        localPref: 150,
        communities: [community(65000, 100), 0xffffff01],
        largeCommunities: [{ globalAdministrator: 4200000001, localData1: 7, localData2: 8 }],
      };
      const v4 = ['198.51.100.0/24', '192.0.2.1/32', '10.0.0.0/8'];
      const v6 = ['2001:db8:1::/48', '2001:db8::7/128'];
      const messages = [
        ...split(packAnnouncements(attributes, v4, ctx).bytes),
        ...split(
          packAnnouncements(
            {
              origin: 'egp',
              asPath: [],
              mpReach: { family: 'ipv6-unicast', nextHop: '2001:db8::1', nlri: [] },
            },
            v6,
            ctx,
          ).bytes,
        ),
        ...split(packWithdrawals('ipv4-unicast', v4, ctx).bytes),
        ...split(packWithdrawals('ipv6-unicast', v6, ctx).bytes),
        encodeMessage(createEndOfRib('ipv4-unicast'), ctx),
        encodeMessage(createEndOfRib('ipv6-unicast'), ctx),
      ];
      const [announce4, announce6, withdraw4, withdraw6, eor4, eor6] = exabgpDecode(messages);

      const attribute4 = announce4?.update?.attribute ?? {};
      assert.equal(attribute4['origin'], 'igp');
      assert.deepEqual(attribute4['as-path'], [4200000001, 65002]);
      assert.equal(attribute4['med'], 50);
      assert.equal(attribute4['local-preference'], 150);
      assert.deepEqual(attribute4['community'], [
        [65000, 100],
        [65535, 65281],
      ]);
      assert.deepEqual(attribute4['large-community'], [[4200000001, 7, 8]]);
      assert.deepEqual(nlris(announce4?.update?.announce?.['ipv4 unicast']?.['192.0.2.1']), v4);
      assert.equal(announce6?.update?.attribute['origin'], 'egp');
      assert.deepEqual(nlris(announce6?.update?.announce?.['ipv6 unicast']?.['2001:db8::1']), v6);
      assert.deepEqual(nlris(withdraw4?.update?.withdraw?.['ipv4 unicast']), v4);
      assert.deepEqual(nlris(withdraw6?.update?.withdraw?.['ipv6 unicast']), v6);
      assert.deepEqual(eor4?.eor, { afi: 'ipv4', safi: 'unicast' });
      assert.deepEqual(eor6?.eor, { afi: 'ipv6', safi: 'unicast' });
    });
  },
);
