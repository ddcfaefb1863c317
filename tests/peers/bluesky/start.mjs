// The reference Bluesky PDS plus an in-memory PLC directory, both on 127.0.0.1 only:
//
//   node start.mjs --pds-port N --plc-port M --data DIR
//
// Prints `ready` on stdout once both listen. DIR holds the PDS's SQLite files and blobs; start
// with a new, empty DIR each time, since the PLC directory is in memory and starts empty.
// Handles are `<name>.test`; no invite code is needed. Secrets are random per start unless
// the PDS_* variable is already set (PDS_ADMIN_PASSWORD, for the admin endpoints, too).
// Logging is off unless LOG_ENABLED=true (then LOG_DESTINATION names a file, else stdout).
// Run by the bluesky-pds launcher that tests/peers/setup.sh writes (Node >= 22).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'pds-port': { type: 'string', default: '2583' },
    'plc-port': { type: 'string', default: '2582' },
    data: { type: 'string' },
  },
});
const port = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    console.error(`bluesky-pds: bad --${name} ${values[name]}`);
    process.exit(2);
  }
  return n;
};
const pdsPort = port('pds-port');
const plcPort = port('plc-port');
if (!values.data) {
  console.error('usage: bluesky-pds --pds-port N --plc-port M --data DIR');
  process.exit(2);
}
const data = resolve(values.data);
mkdirSync(resolve(data, 'blobs'), { recursive: true });
if (readdirSync(data).some((name) => name !== 'blobs')) {
  console.error(`bluesky-pds: warning: ${data} is not empty; its accounts' DIDs are unknown to the new PLC directory`);
}

const hex = (bytes) => randomBytes(bytes).toString('hex');
const env = process.env;
env.LOG_ENABLED ??= 'false';
Object.assign(env, {
  PDS_HOSTNAME: 'localhost',
  PDS_PORT: String(pdsPort),
  PDS_DATA_DIRECTORY: data,
  PDS_BLOBSTORE_DISK_LOCATION: resolve(data, 'blobs'),
  PDS_DID_PLC_URL: `http://localhost:${plcPort}`,
  PDS_DEV_MODE: 'true',
  PDS_INVITE_REQUIRED: 'false',
  PDS_CRAWLERS: '',
  PDS_RATE_LIMITS_ENABLED: 'false',
});
env.PDS_JWT_SECRET ??= hex(32);
env.PDS_ADMIN_PASSWORD ??= hex(16);
env.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX ??= hex(32);

// Imported after the environment is set: both packages read LOG_* when they load.
const { PlcServer, Database: PlcDatabase } = (await import('@did-plc/server')).default;
const { PDS, envToCfg, envToSecrets, readEnv } = await import('@atproto/pds');

const listen = async (app, p) => {
  const server = app.listen(p, '127.0.0.1');
  await once(server, 'listening');
  return server;
};

// PLC directory first: the PDS registers each new account's DID with it.
const plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort });
await listen(plc.app, plcPort);

// What PDS.start() does, but bound to 127.0.0.1 instead of all interfaces.
const pdsEnv = readEnv();
const pds = await PDS.create(envToCfg(pdsEnv), envToSecrets(pdsEnv));
await pds.ctx.sequencer.start();
const server = await listen(pds.app, pdsPort);
server.keepAliveTimeout = 90_000;

console.log('ready');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => process.exit(0));
}
