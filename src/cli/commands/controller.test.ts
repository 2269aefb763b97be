import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../test-cli.ts';
import { leaseTimingProblem } from './controller.ts';

const run = runCli;

describe('ironlb controller', () => {
  it('--help lists the flags and their defaults', async () => {
    const { out, exitCode } = await run(['controller', '--help']);
    assert.equal(exitCode, 0);
    for (const flag of [
      '--kubeconfig',
      '--namespace <namespace>',
      '--lb-class',
      '--http-host',
      '--http-port',
      '--identity',
      '--lease-name',
      '--lease-duration',
      '--renew-deadline',
      '--retry-period',
      '--log-level',
    ]) {
      assert.ok(out.includes(flag), flag);
    }
    assert.match(out, /default: "ironlb-system"/);
    assert.match(out, /default: 7472/);
    assert.match(out, /default:\s+15s/);
    assert.match(out, /default:\s+\$POD_NAME, else the hostname/);
  });

  it('refuses lease timings that cannot work, before connecting anywhere', async () => {
    const { err, exitCode } = await run([
      'controller',
      '--kubeconfig',
      '/nonexistent',
      '--lease-duration',
      '2s',
      '--renew-deadline',
      '2s',
    ]);
    assert.equal(exitCode, 2);
    assert.match(err, /--renew-deadline must be shorter than --lease-duration/);
  });

  it('refuses malformed durations and ports', async () => {
    const duration = await run(['controller', '--retry-period', 'soon']);
    assert.notEqual(duration.exitCode, 0);
    assert.match(duration.err, /"soon" is not a duration/);
    const port = await run(['controller', '--http-port', '70000']);
    assert.notEqual(port.exitCode, 0);
    assert.match(port.err, /must be a port number/);
  });

  it('says why it cannot start when the kubeconfig is unusable', async () => {
    const { err, exitCode } = await run(['controller', '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.equal(exitCode, 1);
    assert.match(err, /cannot start the controller: cannot load Kubernetes client configuration/);
    assert.match(err, /does not exist/);
  });

  it('checks lease timings the way client-go does', () => {
    assert.equal(
      leaseTimingProblem({ leaseDuration: 15_000, renewDeadline: 10_000, retryPeriod: 2000 }),
      undefined,
    );
    assert.match(
      leaseTimingProblem({ leaseDuration: 15_000, renewDeadline: 10_000, retryPeriod: 10_000 }) ??
        '',
      /--retry-period must be shorter than --renew-deadline/,
    );
  });
});
