import { BgpListener } from '../../bgp/bgp-listener.ts';
import { Session } from '../../bgp/session.ts';
import { createLogger, type Logger } from '../../daemon/logger.ts';
import { type AnnounceFlags, announcedRoutes, sessionOptionsOf } from './bgp-announce.ts';

export { createLogger };

/** Runs the speaker until `stopped` resolves; returns when the session is closed. */
export async function runAnnounce(
  flags: AnnounceFlags,
  logger: Logger,
  stopped: Promise<string>,
): Promise<void> {
  const { options, listen } = sessionOptionsOf(flags);
  let listener: BgpListener | undefined;
  if (listen !== undefined) {
    listener = new BgpListener({
      address: listen.address,
      ...(listen.port !== undefined && { port: listen.port }),
    });
    listener.on('refused', (r) => logger.warn(r, 'refused a connection'));
    await listener.listen();
    logger.info({ address: listener.address, port: listener.port }, 'listening');
  }
  const session = new Session({ ...options, ...(listener !== undefined && { listener }) });
  session.on('stateChange', (change) => logger.info(change, `${change.from} → ${change.to}`));
  session.on('established', (info) =>
    logger.info(
      {
        localAddress: info.localAddress,
        remoteAddress: info.remoteAddress,
        direction: info.direction,
        holdTime: info.negotiated.holdTimeSeconds,
        families: info.negotiated.families,
        gracefulRestart: info.negotiated.gracefulRestart,
        nextHops: info.nextHops,
      },
      'session established',
    ),
  );
  session.on('down', (event) => logger.warn(event, 'session down'));
  session.on('notification', (n) => logger.info(n, `NOTIFICATION ${n.direction}`));
  session.on('warning', (w) => logger.warn(w, w.message));
  session.on('synced', (counts) => logger.info(counts, 'routes sent'));
  // Not kept in a variable here: the Adj-RIB-Out holds what it needs of 100k routes.
  session.setRoutes(announcedRoutes(flags));
  session.start();
  const reason = await stopped;
  logger.info({ reason }, 'stopping');
  await session.close({ message: `ironlb bgp announce: ${reason}` });
  await listener?.close();
  logger.info(session.stats(), 'stopped');
}
