import http2 from 'node:http2';
import { IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from '../lib/errors.ts';

/**
 * Just enough of GoBGP's gRPC API to add and withdraw paths in bulk, without
 * the .proto files (not shipped by Debian, not in a Go module cache here).
 * Field numbers come from the FileDescriptorProto that gobgpd 3.10 embeds in
 * its binary (gobgp.proto and attribute.proto, package apipb):
 *
 *   AddPathStreamRequest { TableType table_type = 1; string vrf_id = 2; repeated Path paths = 3; }
 *   Path   { Any nlri = 1; repeated Any pattrs = 2; bool is_withdraw = 5; Family family = 9; … }
 *   Family { Afi afi = 1 (AFI_IP 1, AFI_IP6 2); Safi safi = 2 (SAFI_UNICAST 1); }
 *   IPAddressPrefix { uint32 prefix_len = 1; string prefix = 2; }
 *   OriginAttribute { uint32 origin = 1; }  NextHopAttribute { string next_hop = 1; }
 *   MpReachNLRIAttribute { Family family = 1; repeated string next_hops = 2; repeated Any nlris = 3; }
 *   google.protobuf.Any { string type_url = 1; bytes value = 2; }
 *   GetTableRequest { TableType table_type = 1; Family family = 2; }  → { uint64 num_destination = 1; … }
 *
 * Service `apipb.GobgpApi`: AddPathStream is client-streaming and answers
 * google.protobuf.Empty once the stream is closed and every path is in the RIB.
 */

// ---- protobuf encoding (proto3: default values are left out) ----

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function tag(field: number, wireType: 0 | 2): number[] {
  return varint(field * 8 + wireType);
}

function uintField(field: number, value: number): Buffer {
  return value === 0 ? Buffer.alloc(0) : Buffer.from([...tag(field, 0), ...varint(value)]);
}

function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...tag(field, 2), ...varint(value.length)]), value]);
}

function stringField(field: number, value: string): Buffer {
  return bytesField(field, Buffer.from(value, 'utf8'));
}

function any(typeName: string, value: Buffer): Buffer {
  return Buffer.concat([
    stringField(1, `type.googleapis.com/apipb.${typeName}`),
    bytesField(2, value),
  ]);
}

export type GobgpFamily = 'ipv4' | 'ipv6';

function family(f: GobgpFamily): Buffer {
  return Buffer.concat([uintField(1, f === 'ipv4' ? 1 : 2), uintField(2, 1)]);
}

function ipAddressPrefix(prefix: string): Buffer {
  const slash = prefix.indexOf('/');
  return Buffer.concat([
    uintField(1, Number(prefix.slice(slash + 1))),
    stringField(2, prefix.slice(0, slash)),
  ]);
}

/** One Path message: an IPv4 or IPv6 unicast prefix with ORIGIN IGP and the given next hop. */
export function encodePath(
  f: GobgpFamily,
  prefix: string,
  nextHop: string,
  withdraw: boolean,
): Buffer {
  const nlri = any('IPAddressPrefix', ipAddressPrefix(prefix));
  const origin = any('OriginAttribute', Buffer.alloc(0)); // origin 0 = IGP
  const reach =
    f === 'ipv4'
      ? any('NextHopAttribute', stringField(1, nextHop))
      : any(
          'MpReachNLRIAttribute',
          Buffer.concat([bytesField(1, family(f)), stringField(2, nextHop), bytesField(3, nlri)]),
        );
  return Buffer.concat([
    bytesField(1, nlri),
    bytesField(2, origin),
    bytesField(2, reach),
    withdraw ? Buffer.from([...tag(5, 0), 1]) : Buffer.alloc(0),
    bytesField(9, family(f)),
  ]);
}

/** A gRPC length-prefixed message (not compressed). */
function grpcFrame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/**
 * AddPathStreamRequest frames for the prefixes, `pathsPerMessage` paths each
 * (GoBGP's own `mrt inject` batches too). Built before timing starts.
 */
export function addPathStreamFrames(
  f: GobgpFamily,
  prefixes: readonly string[],
  nextHop: string,
  withdraw: boolean,
  pathsPerMessage = 1000,
): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < prefixes.length; i += pathsPerMessage) {
    const paths = prefixes
      .slice(i, i + pathsPerMessage)
      .map((p) => bytesField(3, encodePath(f, p, nextHop, withdraw)));
    frames.push(grpcFrame(Buffer.concat(paths)));
  }
  return frames;
}

// ---- protobuf decoding, only what GetTable answers ----

function readVarint(buf: Buffer, offset: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let i = offset;
  for (;;) {
    const byte = buf[i++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: i };
    scale *= 128;
  }
}

/** The varint fields of a message (other wire types skipped). */
export function decodeVarintFields(buf: Buffer): Map<number, number> {
  const fields = new Map<number, number>();
  let i = 0;
  while (i < buf.length) {
    const key = readVarint(buf, i);
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (wireType === 0) {
      const v = readVarint(buf, key.next);
      fields.set(field, v.value);
      i = v.next;
    } else if (wireType === 2) {
      const length = readVarint(buf, key.next);
      i = length.next + length.value;
    } else if (wireType === 1) {
      i = key.next + 8;
    } else if (wireType === 5) {
      i = key.next + 4;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

// ---- the client ----

export class GobgpClient {
  readonly #url: string;
  #session: http2.ClientHttp2Session | undefined;

  private constructor(url: string) {
    this.#url = url;
  }

  /** Connects lazily, and again after a failure (gobgpd may not be listening yet). */
  static connect(address: string, port: number): GobgpClient {
    return new GobgpClient(`http://${address}:${port}`);
  }

  #connected(): http2.ClientHttp2Session {
    if (this.#session === undefined || this.#session.closed || this.#session.destroyed) {
      const session = http2.connect(this.#url);
      session.on('error', () => {
        // The call on it reports the failure; the next call reconnects.
      });
      this.#session = session;
    }
    return this.#session;
  }

  /** Calls `method` with the frames as the request stream; resolves with the response messages. */
  call(method: string, frames: readonly Buffer[], timeoutMs = 120_000): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const stream = this.#connected().request({
        ':method': 'POST',
        ':path': `/apipb.GobgpApi/${method}`,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(
          new IronlbError(
            BenchErrors.IRONLB_ERR_BENCH_TIMEOUT,
            `gobgpd ${method}: no answer in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const takeStatus = (headers: http2.IncomingHttpHeaders): void => {
        const s = headers['grpc-status'];
        if (typeof s === 'string') status = s;
        const m = headers['grpc-message'];
        if (typeof m === 'string') message = decodeURIComponent(m);
      };
      stream.on('response', takeStatus);
      stream.on('trailers', takeStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => {
        clearTimeout(timer);
        reject(
          new IronlbError(BenchErrors.IRONLB_ERR_BENCH_CONTROL, `gobgpd ${method} failed`, {
            cause: err,
          }),
        );
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (status !== '0') {
          reject(
            new IronlbError(
              BenchErrors.IRONLB_ERR_BENCH_CONTROL,
              `gobgpd ${method}: grpc-status ${status ?? 'missing'} ${message}`,
            ),
          );
          return;
        }
        const body = Buffer.concat(chunks);
        const messages: Buffer[] = [];
        for (let i = 0; i + 5 <= body.length;) {
          const length = body.readUInt32BE(i + 1);
          messages.push(body.subarray(i + 5, i + 5 + length));
          i += 5 + length;
        }
        resolve(messages);
      });
      for (const frame of frames) stream.write(frame);
      stream.end();
    });
  }

  /** Paths in gobgpd's global RIB for the family (GetTable num_path). */
  async globalPathCount(f: GobgpFamily): Promise<number> {
    const request = grpcFrame(bytesField(2, family(f)));
    const [reply] = await this.call('GetTable', [request], 10_000);
    return reply === undefined ? 0 : (decodeVarintFields(reply).get(2) ?? 0);
  }

  close(): void {
    this.#session?.destroy();
    this.#session = undefined;
  }
}
