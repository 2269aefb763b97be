import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CliRun, runCli } from '../test-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ironlb-check-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const run = (args: string[]): Promise<CliRun> => runCli(['check-config', ...args]);

const valid = `
apiVersion: ironlb.dev/v1beta1
kind: IPAddressPool
metadata: { name: default }
spec: { addresses: [10.0.0.0/24] }
---
apiVersion: v1
kind: Secret
metadata: { name: bird-md5 }
type: kubernetes.io/basic-auth
stringData: { password: s3cret }
---
apiVersion: ironlb.dev/v1beta1
kind: BGPPeer
metadata: { name: bird }
spec: { myASN: 64698, peerASN: 64699, peerAddress: 127.0.0.1, passwordSecret: { name: bird-md5 } }
---
apiVersion: ironlb.dev/v1beta1
kind: BGPAdvertisement
metadata: { name: all }
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ignored }
`;

describe('ironlb check-config', () => {
  it('accepts a valid configuration (namespaces filled in by -n)', async () => {
    const { out, exitCode } = await run(['-n', 'ironlb-system', file('valid.yaml', valid)]);
    assert.equal(exitCode, undefined);
    assert.equal(
      out,
      'configuration is valid: 1 IPAddressPools, 1 BGPPeers, 1 BGPAdvertisements\n',
    );
  });

  it('lists every error and exits 1', async () => {
    const pools = file(
      'pools.yaml',
      `apiVersion: ironlb.dev/v1beta1
kind: IPAddressPool
metadata: { name: a, namespace: ns }
spec: { addresses: [10.0.0.0/24] }
---
apiVersion: ironlb.dev/v1beta1
kind: IPAddressPool
metadata: { name: b, namespace: ns }
spec: { addresses: [10.0.0.128/25], autoassign: true }
`,
    );
    const { err, exitCode } = await run([pools]);
    assert.equal(exitCode, 1);
    assert.equal(
      err,
      'configuration is invalid (1 error):\n' +
        '  IRONLB_ERR_CONFIG_SCHEMA  IPAddressPool ns/b spec.autoassign: unknown field\n',
    );
  });

  it('reports unreadable YAML with exit code 2', async () => {
    const { err, exitCode } = await run([file('broken.yaml', 'a: [1, 2\n')]);
    assert.equal(exitCode, 2);
    assert.match(err, /broken\.yaml: /);
  });
});
