// Entry point of dist/languageServer.js: the transport comes from the command line the client
// starts it with (--node-ipc for vscode-languageclient's TransportKind.ipc, or --stdio). The same
// bundle, started as a worker thread by the server, runs the assemblies.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { nodeHost } from './host';
import { startServer } from './server';
import { isAssemblerWorker, serveAssembler } from './worker';

if (isAssemblerWorker()) serveAssembler(nodeHost());
else startServer(createConnection(ProposedFeatures.all), nodeHost(), { workerScript: __filename });
