// Standalone entry of the debug adapter (dist/debugAdapter.js): speaks DAP on stdin/stdout, or
// serves sessions on a TCP port with `--server=PORT`.

import { serverPort, startServer } from './server';
import { SnpDebugSession } from './session';

const serverArg = process.argv.slice(2).find((a) => a.startsWith('--server='));

if (serverArg) {
  const port = Number(serverArg.slice('--server='.length));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`snpdbg debug adapter: '${serverArg}' needs a port number (0-65535)\n`);
    process.exit(2);
  }
  startServer(port).then(
    (server) => process.stderr.write(`snpdbg debug adapter listening on port ${serverPort(server)}\n`),
    (e: Error) => {
      process.stderr.write(`snpdbg debug adapter: cannot listen on port ${port}: ${e.message}\n`);
      process.exit(1);
    },
  );
} else {
  const session = new SnpDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
