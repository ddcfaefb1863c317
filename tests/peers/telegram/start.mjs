// telegram-test-api on 127.0.0.1 only: node start.mjs --port N
// Prints `ready` on stdout once listening. Messages are kept for TELEGRAM_STORE_SECONDS
// (default one day; the package's own default of 60 s would drop them mid-test).
// Run by the telegram-test-api launcher that tests/peers/setup.sh writes.
import { parseArgs } from 'node:util';
import TelegramServer from 'telegram-test-api';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9000' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`telegram-test-api: bad --port ${values.port}`);
  process.exit(2);
}

const server = new TelegramServer({
  host: '127.0.0.1',
  port,
  storeTimeout: Number(process.env.TELEGRAM_STORE_SECONDS || 86400),
});
await server.start();
console.log('ready');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => process.exit(0));
}
