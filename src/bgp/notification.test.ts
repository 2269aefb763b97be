import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CeaseSubcode,
  decodeShutdownCommunication,
  describeNotification,
  encodeShutdownCommunication,
  notification,
  NotificationCode,
  notificationName,
} from './notification.ts';

describe('notificationName', () => {
  it('names codes and subcodes from the IANA registry', () => {
    assert.equal(notificationName(4, 0), 'Hold Timer Expired');
    assert.equal(notificationName(2, 2), 'OPEN Message Error/Bad Peer AS');
    assert.equal(notificationName(2, 7), 'OPEN Message Error/Unsupported Capability');
    assert.equal(notificationName(6, 7), 'Cease/Connection Collision Resolution');
    assert.equal(
      notificationName(5, 1),
      'Finite State Machine Error/Receive Unexpected Message in OpenSent State',
    );
  });

  it('falls back to numbers for unknown ones', () => {
    assert.equal(notificationName(2, 42), 'OPEN Message Error/subcode 42');
    assert.equal(notificationName(99, 1), 'error code 99/subcode 1');
  });
});

describe('describeNotification', () => {
  it('shows the shutdown communication of RFC 9003', () => {
    const n = notification(
      NotificationCode.Cease,
      CeaseSubcode.AdministrativeShutdown,
      encodeShutdownCommunication('maintenance'),
    );
    assert.equal(describeNotification(n), "Cease/Administrative Shutdown: 'maintenance'");
    const reset = notification(
      6,
      CeaseSubcode.AdministrativeReset,
      encodeShutdownCommunication(''),
    );
    assert.equal(describeNotification(reset), 'Cease/Administrative Reset');
  });

  it('escapes control characters the peer put in its message', () => {
    const n = notification(6, 2, encodeShutdownCommunication('a\nb\u0007'));
    assert.equal(describeNotification(n), "Cease/Administrative Shutdown: 'a\\u000ab\\u0007'");
  });

  it('shows the supported version of an Unsupported Version Number', () => {
    assert.equal(
      describeNotification(notification(2, 1, Uint8Array.of(0, 4))),
      'OPEN Message Error/Unsupported Version Number (version 4 supported)',
    );
  });

  it('shows other data, and malformed shutdown communications, in hex', () => {
    assert.equal(
      describeNotification(notification(3, 1, Uint8Array.of(0xde, 0xad))),
      'UPDATE Message Error/Malformed Attribute List (data 0xdead)',
    );
    // length 9 but only 2 octets follow
    assert.equal(
      describeNotification(notification(6, 2, Uint8Array.of(9, 0x41, 0x42))),
      'Cease/Administrative Shutdown (data 0x094142)',
    );
    const long = describeNotification(notification(3, 1, new Uint8Array(40)));
    assert.ok(long.endsWith('…)'), long);
  });
});

describe('shutdown communication', () => {
  it('round-trips any message up to 255 octets, cutting longer ones at a character boundary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (message) => {
        const data = encodeShutdownCommunication(message);
        assert.ok(data.length <= 256);
        assert.equal(data[0], data.length - 1);
        const decoded = decodeShutdownCommunication(data);
        assert.ok(decoded !== undefined, 'valid UTF-8');
        assert.ok(message.startsWith(decoded));
        if (new TextEncoder().encode(message).length <= 255) assert.equal(decoded, message);
      }),
    );
  });

  it('cuts a long message at 255 octets without splitting a character', () => {
    assert.equal(
      decodeShutdownCommunication(encodeShutdownCommunication('a'.repeat(300))),
      'a'.repeat(255),
    );
    // 'é' is two octets: 127 of them fit, the 128th would need octets 254 and 255.
    assert.equal(
      decodeShutdownCommunication(encodeShutdownCommunication('é'.repeat(200))),
      'é'.repeat(127),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 100, maxLength: 400, size: 'large' }),
        (message) => {
          const decoded = decodeShutdownCommunication(encodeShutdownCommunication(message));
          assert.ok(decoded !== undefined && message.startsWith(decoded));
        },
      ),
    );
  });

  it('refuses invalid UTF-8 and a length beyond the data', () => {
    assert.equal(decodeShutdownCommunication(Uint8Array.of(2, 0xc3, 0x28)), undefined);
    assert.equal(decodeShutdownCommunication(Uint8Array.of(5, 0x41)), undefined);
    assert.equal(decodeShutdownCommunication(new Uint8Array(0)), undefined);
  });
});
