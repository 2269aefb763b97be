import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../test-cli.ts';

const run = runCli;

describe('ironlb speaker', () => {
  it('--help lists the flags and their defaults', async () => {
    const { out, exitCode } = await run(['speaker', '--help']);
    assert.equal(exitCode, 0);
    for (const flag of [
      '--kubeconfig',
      '--node-name',
      '--namespace <namespace>',
      '--http-host',
      '--http-port',
      '--drain-period',
      '--lb-class',
      '--log-level',
    ]) {
      assert.ok(out.includes(flag), flag);
    }
    assert.match(out, /default: "ironlb-system"/);
    assert.match(out, /default: 7473/);
    assert.match(out, /default:\s+5s/);
    assert.match(out, /\$NODE_NAME; never the\s+hostname/);
  });

  it('refuses to start without a node name, or with one that cannot be a node name', async () => {
    const saved = process.env.NODE_NAME;
    delete process.env.NODE_NAME;
    try {
      const missing = await run(['speaker', '--kubeconfig', '/nonexistent']);
      assert.equal(missing.exitCode, 2);
      assert.match(missing.err, /NODE_NAME is not set/);
      const invalid = await run(['speaker', '--node-name', 'Not_A_Node', '--kubeconfig', '/x']);
      assert.equal(invalid.exitCode, 2);
      assert.match(invalid.err, /"Not_A_Node" is not a valid node name/);
    } finally {
      if (saved !== undefined) process.env.NODE_NAME = saved;
    }
  });

  it('refuses malformed durations and ports', async () => {
    const duration = await run(['speaker', '--drain-period', 'soon']);
    assert.notEqual(duration.exitCode, 0);
    assert.match(duration.err, /"soon" is not a duration/);
    const port = await run(['speaker', '--http-port', '70000']);
    assert.notEqual(port.exitCode, 0);
    assert.match(port.err, /must be a port number/);
  });

  it('says why it cannot start when the kubeconfig is unusable', async () => {
    const { err, exitCode } = await run([
      'speaker',
      '--node-name',
      'n1',
      '--kubeconfig',
      '/nonexistent/kubeconfig',
    ]);
    assert.equal(exitCode, 1);
    assert.match(err, /cannot start the speaker: cannot load Kubernetes client configuration/);
  });
});
