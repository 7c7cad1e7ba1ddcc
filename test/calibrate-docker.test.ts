import test from 'ava';
import { execFile } from 'node:child_process';
import { closedPort } from './helpers/net.js';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { startDockerTestbed } from '../calibrate/testbed/docker.js';
import { TestbedUnavailableError } from '../calibrate/testbed/types.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');


test('docker backend: a missing socket stops at once with "no Docker engine" and how to point at one', async (t) => {
  const docker = new Docker({ socketPath: '/nonexistent/flowsim-docker.sock' });
  const e = await t.throwsAsync(startDockerTestbed({ rateBps: 25e6, docker }), { instanceOf: TestbedUnavailableError });
  t.regex(e!.message, /no Docker engine/);
  t.regex(e!.message, /ENOENT/);
  t.regex(e!.message, /DOCKER_HOST/);
});

test('docker backend: a TCP DOCKER_HOST that refuses is reported the same way', async (t) => {
  const docker = new Docker({ host: '127.0.0.1', port: await closedPort(), protocol: 'http' });
  const e = await t.throwsAsync(startDockerTestbed({ rateBps: 25e6, docker }), { instanceOf: TestbedUnavailableError });
  t.regex(e!.message, /no Docker engine/);
  t.regex(e!.message, /ECONNREFUSED/);
});

test('calibrate --testbed docker without an engine exits 2 with the message', async (t) => {
  const port = await closedPort();
  const e = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'calibrate/cli.ts'), '--testbed', 'docker', '--quick'], {
    cwd: ROOT,
    env: { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}` },
    timeout: 60_000,
  }).then(
    () => null,
    (x: { code: number; stderr: string }) => x,
  );
  t.truthy(e, 'the CLI must fail');
  t.is(e!.code, 2);
  t.regex(e!.stderr, /no Docker engine: nothing answers at DOCKER_HOST=tcp:\/\/127\.0\.0\.1/);
});
