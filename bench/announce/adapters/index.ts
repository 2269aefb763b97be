import type { AdapterModule } from '../ironlb-adapter.ts';
import { ironlbSessionAdapter } from './ironlb-session.ts';
import { rawCodecAdapter } from './raw-codec.ts';

/** Every ironlb adapter, by contender id; each becomes a contender in the announce benchmark. */
export const ironlbAdapters: readonly AdapterModule[] = [ironlbSessionAdapter, rawCodecAdapter];
