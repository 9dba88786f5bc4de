// Serves the adapter on a TCP port, one session per connection: `--server=PORT` for development
// (debug the adapter while VS Code drives it) and the in-process server the tests connect to.

import net from 'node:net';
import { SnpDebugSession } from './session';

const connections = new WeakMap<net.Server, Set<net.Socket>>();

/** Listens on `port` (0: any free port); resolves with the server once it listens. */
export function startServer(port: number, host = '127.0.0.1'): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      // DAP messages are small request/response pairs: Nagle's algorithm would delay each by ~40 ms.
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      const session = new SnpDebugSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    connections.set(server, sockets);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The port a started server listens on. */
export function serverPort(server: net.Server): number {
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('the server is not listening on TCP');
  return a.port;
}

/** Closes the server and every session still connected to it. */
export function stopServer(server: net.Server): Promise<void> {
  for (const s of connections.get(server) ?? []) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
