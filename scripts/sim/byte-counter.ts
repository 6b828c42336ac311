// A TCP pass-through in front of the origin that counts the bytes the origin sends: what "origin bytes out" means
// in the data-plane phases (relays and sites fetch media through it). Counts every byte, headers included.
import net from 'node:net';

export interface ByteCounter {
  port: number;
  /** Bytes from the origin to its clients since the last reset. */
  bytesOut(): number;
  reset(): void;
  close(): Promise<void>;
}

export function startByteCounter(originPort: number): Promise<ByteCounter> {
  let out = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(originPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', (d: Buffer) => {
      out += d.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        bytesOut: () => out,
        reset: () => {
          out = 0;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
