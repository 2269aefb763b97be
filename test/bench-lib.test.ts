/**
 * The benchmark framework's own parts (bench/lib, bench/announce parsers and
 * encoders): summaries, CLI flags, BIRD control-socket framing and output
 * parsing, the hand-written GoBGP protobuf encoding, the results table.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  addPathStreamFrames,
  decodeVarintFields,
  encodePath,
} from '../bench/announce/gobgp-grpc.ts';
import {
  newestRouteTime,
  parseProtocolStatus,
  receiverConfig,
} from '../bench/announce/receiver.ts';
import { senderConfig } from '../bench/announce/bird-sender.ts';
import { BirdControl, parseBirdTime } from '../bench/lib/bird-control.ts';
import { parseCli } from '../bench/lib/cli.ts';
import { freePort, isLoopbackBase } from '../bench/lib/loopback.ts';
import { formatCase, formatSummary } from '../bench/lib/report.ts';
import { CaseRecorder } from '../bench/lib/runner.ts';
import {
  Cleanup,
  commandExists,
  isProcessRunning,
  liveResources,
  ManagedProcess,
  waitFor,
} from '../bench/lib/processes.ts';
import { percentile, ratioOf, summarize } from '../bench/lib/stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'ironlb-bench-lib-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('summaries', () => {
  it('min, median (mean of the middle two when even), max and count', () => {
    assert.deepEqual(summarize([3, 1, 2]), { min: 1, median: 2, max: 3, count: 3 });
    assert.deepEqual(summarize([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4, count: 4 });
    assert.deepEqual(summarize([Number.NaN, 5]), { min: 5, median: 5, max: 5, count: 1 });
    assert.equal(summarize([]), undefined);
  });

  it('percentiles by nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 90), 90);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile(hundred, 0), 1);
    // With fewer samples than 1/(1-p), the tail percentile is the maximum.
    assert.equal(percentile([5, 1, 9, 3], 99), 9);
    assert.equal(percentile([5, 1, 9, 3], 50), 3);
    assert.equal(percentile([Number.NaN, 7], 90), 7);
    assert.equal(percentile([], 50), undefined);
  });

  it('ratios need both sides and a non-zero denominator', () => {
    assert.equal(ratioOf(6, 3), 2);
    assert.equal(ratioOf(6, 0), undefined);
    assert.equal(ratioOf(undefined, 3), undefined);
  });
});

describe('case recorder', () => {
  it('summarises samples, computes ratios of medians, and fails contenders that recorded nothing', async () => {
    const recorder = new CaseRecorder({
      id: 'c',
      title: 'A case',
      metrics: [{ key: 'rate', label: 'rate', unit: '/s', better: 'higher' }],
    });
    const fast = recorder.contender('fast', 'Fast');
    await fast.repeat(3, (i) => ({ rate: [10, 30, 20][i]! }));
    const slow = recorder.contender('slow', 'Slow');
    slow.sample({ rate: 5 });
    const broken = recorder.contender('broken', 'Broken');
    await broken.repeat(3, () => {
      throw new Error('no route to peer');
    });
    recorder.contender('silent', 'Silent');
    recorder.contender('absent', 'Absent').skip('not installed');
    recorder.ratio('fast / slow', 'rate', 'fast', 'slow');
    recorder.ratio('fast / absent', 'rate', 'fast', 'absent');
    const outcome = recorder.finish(undefined);
    const byId = new Map(outcome.contenders.map((c) => [c.id, c]));
    assert.deepEqual(byId.get('fast')?.summary['rate'], { min: 10, median: 20, max: 30, count: 3 });
    assert.equal(byId.get('broken')?.status, 'failed');
    assert.match(byId.get('broken')?.reason ?? '', /no route to peer/);
    assert.equal(byId.get('silent')?.status, 'failed');
    assert.equal(byId.get('absent')?.status, 'skipped');
    assert.deepEqual(
      outcome.ratios.map((r) => [r.label, r.value]),
      [
        ['fast / slow', 4],
        ['fast / absent', null],
      ],
    );
    const text = formatCase(outcome);
    assert.match(text, /Fast\s+20 \(10–30\)\s+3/);
    assert.match(text, /fast \/ slow\s+4\.00/);
    assert.doesNotMatch(text, /fast \/ absent/);
    assert.match(text, /Absent: skipped: not installed/);
  });

  it('shows percentile columns for latency metrics', () => {
    const recorder = new CaseRecorder({
      id: 'lat',
      title: 'Latency',
      metrics: [
        { key: 'ms', label: 'delay', unit: 'ms', better: 'lower', percentiles: true },
        { key: 'part', label: 'part', unit: 'ms', better: 'lower' },
      ],
    });
    const ours = recorder.contender('ours', 'Ours');
    for (let i = 1; i <= 10; i++) ours.sample({ ms: i * 10, part: i });
    recorder.contender('gone', 'Gone').skip('no root');
    const text = formatCase(recorder.finish(undefined));
    assert.match(text, /delay \[ms\] p50\s+p90\s+p99\s+max\s+min\s+part \[ms\]\s+reps/);
    assert.match(text, /Ours\s+50\s+90\s+100\s+100\s+10\s+6 \(1–10\)\s+10/);
    assert.match(text, /Gone(\s+–){6}\s+0/);
    assert.match(text, /pNN: percentiles by nearest rank/);
  });

  it('formats one sample without a range', () => {
    const metric = { key: 'x', label: 'x', unit: 's', better: 'lower', digits: 3 } as const;
    assert.equal(formatSummary({ min: 1, median: 1, max: 1, count: 1 }, metric), '1.000');
    assert.equal(formatSummary(undefined, metric), '–');
  });
});

describe('command line', () => {
  it('reads lists, sizes and repetitions, and defaults the smoke run to its own loopback network', () => {
    const choices = parseCli(
      ['--only', 'announce,codec', '--n', '10_000,100000', '--reps', '3', '--smoke', '--no-save'],
      '/results',
    );
    assert.deepEqual(choices.options.only, ['announce', 'codec']);
    assert.deepEqual(choices.options.sizes, [10_000, 100_000]);
    assert.equal(choices.options.reps, 3);
    assert.equal(choices.options.loopbackBase, '127.0.78');
    assert.equal(choices.outDir, undefined);
    assert.equal(parseCli([], '/results').outDir, '/results');
    assert.equal(parseCli([], '/results').options.loopbackBase, '127.0.77');
    assert.equal(parseCli(['--warmup', '0'], '/r').options.warmups, 0);
    assert.equal(parseCli(['--warmup', '4'], '/r').options.warmups, 4);
    assert.equal(parseCli([], '/r').options.warmups, undefined);
  });

  it('refuses bad values and unknown flags', () => {
    assert.throws(() => parseCli(['--reps', '0'], '/r'), /positive integer/);
    assert.throws(() => parseCli(['--warmup', '-1'], '/r'), /--warmup/);
    assert.throws(() => parseCli(['--loopback', '10.0.0'], '/r'), /127\.0\.0\.0\/8/);
    assert.throws(() => parseCli(['--bogus'], '/r'));
    assert.ok(isLoopbackBase('127.0.77'));
    assert.ok(!isLoopbackBase('127.0.777'));
  });
});

/** A fake BIRD control socket: greets, then answers each command from a table. */
function fakeBird(path: string, replies: Record<string, string>): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.write('0001 BIRD 2.0.12 ready.\n');
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const command = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const reply = replies[command] ?? '9001 syntax error\n';
        // Split the reply at every byte boundary the kernel might choose: write it in small pieces.
        for (let i = 0; i < reply.length; i += 7) socket.write(reply.slice(i, i + 7));
      }
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

describe('BIRD control socket', () => {
  it('frames multi-line replies with continuation lines, and rejects error codes', async () => {
    const path = join(dir, 'bird.ctl');
    const server = await fakeBird(path, {
      'show protocols all p':
        '2002-Name       Proto      Table      State  Since         Info\n' +
        '1002-p          BGP        ---        up     2025-11-26 01:12:27.589  Established\n' +
        '1006-  BGP state:          Established\n' +
        '  Channel ipv4\n' +
        '    Routes:         42 imported, 0 exported, 42 preferred\n' +
        '  Channel ipv6\n' +
        '    Routes:         7 imported, 0 exported, 7 preferred\n' +
        '0000 \n',
      'enable x': '0011 x: enabled\n',
    });
    const control = await BirdControl.connect(path);
    try {
      const [lines, enabled] = await Promise.all([
        control.command('show protocols all p'),
        control.command('enable x'),
      ]);
      assert.equal(lines[0]?.code, 2002);
      assert.equal(lines[3]?.code, 1006, 'a continuation line keeps the code before it');
      assert.deepEqual(enabled, [{ code: 11, text: 'x: enabled' }]);
      const status = parseProtocolStatus(lines.map((l) => l.text));
      assert.equal(status.state, 'up');
      assert.equal(status.bgpState, 'Established');
      assert.deepEqual(status.routes, { ipv4: 42, ipv6: 7 });
      assert.equal(status.sinceMs, new Date('2025-11-26T01:12:27.589').getTime());
      await assert.rejects(control.command('nonsense'), /BIRD refused "nonsense": syntax error/);
    } finally {
      control.close();
      server.close();
    }
  });

  it('reads the newest route timestamp and BIRD times', () => {
    const lines = [
      'Table master4:',
      '10.0.0.1/32          unreachable [p 2025-11-26 01:12:29.784 from 127.0.77.2] * (100) [AS64513i]',
      '10.0.0.2/32          unreachable [p 2025-11-26 01:12:30.001 from 127.0.77.2] * (100) [AS64513i]',
      '10.0.0.3/32          unreachable [p 2025-11-26 01:12:29.999 from 127.0.77.2] * (100) [AS64513i]',
    ];
    assert.equal(newestRouteTime(lines), new Date('2025-11-26T01:12:30.001').getTime());
    assert.equal(newestRouteTime(['Table master4:']), undefined);
    assert.equal(parseBirdTime('01:12:29.784'), undefined);
  });

  it(
    'generates configurations BIRD accepts (bird -p)',
    { skip: commandExists('bird') ? false : 'bird is not installed' },
    async () => {
      const receiver = join(dir, 'receiver.conf');
      const sender = join(dir, 'sender.conf');
      writeFileSync(
        receiver,
        receiverConfig({
          address: '127.0.78.1',
          port: 17900,
          asn: 64512,
          peers: [
            { protocol: 'from_bird', address: '127.0.78.2', asn: 64513 },
            { protocol: 'from_gobgpd', address: '127.0.78.5', asn: 64513, dialPort: 17901 },
          ],
        }),
      );
      const env = {
        dir,
        receiverAddress: '127.0.78.1',
        receiverPort: 17900,
        receiverAsn: 64512,
        localAddress: '127.0.78.2',
        localAsn: 64513,
        apiPort: 17902,
        compileCacheDir: '/nonexistent',
      };
      for (const [path, text] of [
        [receiver, undefined],
        [
          sender,
          senderConfig(env, {
            family: 'ipv6',
            prefixes: ['2001:db8::1/128'],
            nextHop: '2001:db8:ffff::1',
          }),
        ],
      ] as const) {
        if (text !== undefined) writeFileSync(path, text);
        const proc = await ManagedProcess.start('bird -p', 'bird', ['-p', '-c', path]);
        const status = await proc.exited;
        assert.equal(status.code, 0, proc.output);
      }
    },
  );
});

/** Reads a length-delimited field's bytes (for checking the hand-written protobuf). */
function lengthDelimited(buf: Buffer, wanted: number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = buf[i++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      varint();
    } else if (wire === 2) {
      const length = varint();
      if (field === wanted) out.push(buf.subarray(i, i + length));
      i += length;
    } else {
      throw new Error(`wire type ${wire}`);
    }
  }
  return out;
}

describe('GoBGP protobuf encoding', () => {
  it('an IPv4 Path carries an IPAddressPrefix, ORIGIN and NEXT_HOP as Any, and the family', () => {
    const path = encodePath('ipv4', '10.0.1.2/32', '127.0.77.5', false);
    const [nlri] = lengthDelimited(path, 1);
    assert.equal(
      lengthDelimited(nlri!, 1)[0]!.toString(),
      'type.googleapis.com/apipb.IPAddressPrefix',
    );
    const prefix = lengthDelimited(nlri!, 2)[0]!;
    assert.equal(decodeVarintFields(prefix).get(1), 32);
    assert.equal(lengthDelimited(prefix, 2)[0]!.toString(), '10.0.1.2');
    const attributes = lengthDelimited(path, 2).map((a) => lengthDelimited(a, 1)[0]!.toString());
    assert.deepEqual(attributes, [
      'type.googleapis.com/apipb.OriginAttribute',
      'type.googleapis.com/apipb.NextHopAttribute',
    ]);
    const family = decodeVarintFields(lengthDelimited(path, 9)[0]!);
    assert.deepEqual([family.get(1), family.get(2)], [1, 1]);
    assert.equal(decodeVarintFields(path).get(5), undefined, 'not a withdrawal');
  });

  it('an IPv6 withdrawal carries MP_REACH with the next hop and is_withdraw', () => {
    const path = encodePath('ipv6', '2001:db8::1/128', '2001:db8:ffff::1', true);
    assert.equal(decodeVarintFields(path).get(5), 1);
    const reach = lengthDelimited(path, 2)[1]!;
    assert.equal(
      lengthDelimited(reach, 1)[0]!.toString(),
      'type.googleapis.com/apipb.MpReachNLRIAttribute',
    );
    const value = lengthDelimited(reach, 2)[0]!;
    assert.equal(lengthDelimited(value, 2)[0]!.toString(), '2001:db8:ffff::1');
    assert.equal(decodeVarintFields(lengthDelimited(value, 1)[0]!).get(1), 2, 'AFI_IP6');
  });

  it('batches paths into length-prefixed gRPC frames', () => {
    const prefixes = Array.from({ length: 2500 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`);
    const frames = addPathStreamFrames('ipv4', prefixes, '127.0.77.5', false, 1000);
    assert.equal(frames.length, 3);
    for (const frame of frames) {
      assert.equal(frame[0], 0, 'not compressed');
      assert.equal(frame.readUInt32BE(1), frame.length - 5);
    }
    assert.equal(lengthDelimited(frames[2]!.subarray(5), 3).length, 500);
  });

  it('decodes 64-bit varints beyond 2^31', () => {
    // field 2, varint 2^35 + 1
    const buf = Buffer.from([0x10, 0x81, 0x80, 0x80, 0x80, 0x80, 0x01]);
    assert.equal(decodeVarintFields(buf).get(2), 2 ** 35 + 1);
  });
});

describe('processes', () => {
  it('stop() ends a process that ignores SIGTERM, and cleanup runs every step in reverse', async () => {
    // The shell and its child both ignore SIGTERM: only the group-wide SIGKILL ends them.
    const proc = await ManagedProcess.start('stubborn', 'sh', [
      '-c',
      'trap "" TERM; sleep 30 & echo "ready $!"; wait',
    ]);
    const grandchild = await waitFor(() => /ready (\d+)/.exec(proc.output)?.[1], {
      timeoutMs: 5000,
      what: 'the shell to start',
    });
    const order: string[] = [];
    const cleanup = new Cleanup();
    const tmp = cleanup.tempDir('lib-test');
    cleanup.process(proc, 200);
    cleanup.defer('fails', () => {
      throw new Error('boom');
    });
    cleanup.defer('first', () => order.push('first'));
    const errors = await cleanup.run();
    assert.deepEqual(order, ['first']);
    assert.deepEqual(errors, ['fails: boom']);
    assert.equal(proc.exitStatus?.signal, 'SIGKILL');
    assert.ok(!isProcessRunning(proc.pid));
    await waitFor(() => (isProcessRunning(Number(grandchild)) ? undefined : true), {
      timeoutMs: 5000,
      what: 'the grandchild to be gone',
    });
    assert.ok(!existsSync(tmp));
  });

  it('a process that exits reports why, and waits give up on it', async () => {
    const proc = await ManagedProcess.start('quitter', 'sh', ['-c', 'echo bad config >&2; exit 3']);
    await proc.exited;
    assert.match(proc.exitedError()?.message ?? '', /quitter exited \(3\): bad config/);
    await assert.rejects(
      waitFor(() => undefined, {
        timeoutMs: 5000,
        what: 'never',
        giveUpIf: () => proc.exitedError(),
      }),
      /quitter exited/,
    );
    await assert.rejects(
      waitFor(() => undefined, { timeoutMs: 30, what: 'nothing' }),
      /waiting for nothing/,
    );
    await assert.rejects(
      ManagedProcess.start('missing', '/nonexistent/binary', []),
      /cannot start missing/,
    );
    assert.deepEqual(liveResources().processes, 0);
  });

  it('finds free loopback ports', async () => {
    const port = await freePort('127.0.0.1');
    assert.ok(port > 0 && port < 65536);
  });
});
