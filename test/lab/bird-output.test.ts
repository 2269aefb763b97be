import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEstablished, parseBirdProtocols } from './bird-output.ts';
import { hasAnyRoute, parseRouteNextHops } from './kernel-routes.ts';
import { parseNetnsList } from './cleanup.ts';

// Output captured from BIRD 2.0.12 and iproute2 6.1 on this machine.
const SHOW_PROTOCOLS = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     00:35:19.046  
kernel4    Kernel     master4    up     00:35:19.046  
speaker    BGP        ---        start  00:35:19.046  Passive       
tor4       BGP        ---        up     00:35:19.820  Established   
n1v4       BGP        ---        start  2026-11-26 00:36:35.126  Idle          Error: BFD session down
`;

describe('parsing birdc and ip output', () => {
  it('reads protocol states, including dated ones and error text', () => {
    const status = parseBirdProtocols(SHOW_PROTOCOLS);
    assert.deepEqual([...status.keys()], ['device1', 'kernel4', 'speaker', 'tor4', 'n1v4']);
    assert.equal(status.get('speaker')?.info, 'Passive');
    assert.equal(status.get('n1v4')?.info, 'Idle Error: BFD session down');
    assert.ok(isEstablished(status.get('tor4')));
    assert.ok(!isEstablished(status.get('speaker')));
    assert.ok(!isEstablished(status.get('missing')));
  });

  it('reads next hops of multipath, single-path and gateway-less routes', () => {
    const multipath =
      '[{"dst":"203.0.113.130","protocol":"bird","metric":32,"flags":[],"nexthops":[{"gateway":"192.0.2.5","dev":"x-n2","weight":1,"flags":[]},{"gateway":"192.0.2.3","dev":"x-n1","weight":1,"flags":[]}]}]';
    assert.deepEqual(parseRouteNextHops(multipath), [
      { gateway: '192.0.2.3', dev: 'x-n1' },
      { gateway: '192.0.2.5', dev: 'x-n2' },
    ]);
    const single =
      '[{"dst":"203.0.113.130","gateway":"192.0.2.3","dev":"x-n1","protocol":"bird","metric":32,"flags":[]}]';
    assert.deepEqual(parseRouteNextHops(single), [{ gateway: '192.0.2.3', dev: 'x-n1' }]);
    const unreachable =
      '[{"type":"unreachable","dst":"203.0.113.130","protocol":"bird","flags":[]}]';
    assert.deepEqual(parseRouteNextHops(unreachable), []);
    assert.ok(hasAnyRoute(unreachable));
    assert.ok(!hasAnyRoute('[]'));
    assert.ok(!hasAnyRoute(''));
    assert.deepEqual(parseRouteNextHops('[]\n'), []);
  });

  it('reads namespace names with and without ids', () => {
    assert.deepEqual(parseNetnsList('ilbk3x9-tor (id: 3)\nilbk3x9-node-1\n\n'), [
      'ilbk3x9-tor',
      'ilbk3x9-node-1',
    ]);
  });
});
