/**
 * Builds the Docker testbed's image on this machine, without a registry (none is reachable here,
 * reference toolchain.md): a root filesystem assembled from this host's own binaries (node,
 * redis-server, ip, tc, sh) and the shared libraries `ldd` lists for them, plus the testbed agent's
 * files, imported with the Engine API's `POST /images/create?fromSrc=-` (what `docker import`
 * does). The tag is a hash of what went in, so a changed agent file gives a new image; images
 * carry the testbed label and are removed with the testbed that built them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import tarFs from 'tar-fs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The agent's files, copied to /opt/fsim in the image. */
export const AGENT_FILES = ['runtime.mjs', 'function.mjs', 'resp.mjs', 'engine.mjs', 'launcher.mjs'];
export const IMAGE_REPO = 'flowsim-testbed';

function which(cmd: string): string {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error(`the docker testbed image needs \`${cmd}\` on this machine (apt-get install -y ${cmd === 'redis-server' ? 'redis-server' : cmd === 'tc' || cmd === 'ip' ? 'iproute2' : cmd})`);
}

/** Binaries the image holds: [path inside the image, path on this host]. */
function binaries(): Array<[string, string]> {
  return [
    ['/usr/bin/node', fs.realpathSync(process.execPath)],
    ['/usr/bin/redis-server', fs.realpathSync(which('redis-server'))],
    ['/usr/sbin/ip', fs.realpathSync(which('ip'))],
    ['/usr/sbin/tc', fs.realpathSync(which('tc'))],
    ['/bin/sh', fs.realpathSync(which('sh'))],
  ];
}

/** Shared libraries of a binary (ldd), as absolute host paths. */
function libsOf(bin: string): string[] {
  const out = execFileSync('ldd', [bin], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** Hash of everything that goes into the image (binaries by path, size and mtime; agent files by content). */
export function imageTag(): string {
  const h = crypto.createHash('sha256');
  for (const [, host] of binaries()) {
    const s = fs.statSync(host);
    h.update(`${host}:${s.size}:${s.mtimeMs}\n`);
  }
  for (const f of AGENT_FILES) h.update(fs.readFileSync(path.join(HERE, f)));
  return h.digest('hex').slice(0, 12);
}

/** Assembles the root filesystem in a temporary folder; returns it (the caller removes it). */
export function assembleRootfs(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-rootfs-'));
  const put = (inImage: string, host: string) => {
    const dst = path.join(root, inImage);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(host, dst);
    fs.chmodSync(dst, fs.statSync(host).mode & 0o777);
  };
  const libs = new Set<string>();
  for (const [inImage, host] of binaries()) {
    put(inImage, host);
    for (const l of libsOf(host)) libs.add(l);
  }
  for (const l of libs) put(l, fs.realpathSync(l));
  // the loader is found by its absolute path; /lib64 may be a symlink on the host
  for (const f of AGENT_FILES) put(path.join('/opt/fsim', f), path.join(HERE, f));
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev', 'run', 'var/lib/redis']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
  fs.writeFileSync(path.join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  return root;
}

/**
 * Returns the name of the testbed image, building it when it is not there yet. `labels` are put
 * on the image (the testbed's id and owner), so that close and the start-of-run sweep remove it.
 */
export async function ensureTestbedImage(docker: Docker, labels: Record<string, string>, log: (m: string) => void): Promise<{ name: string; built: boolean }> {
  const name = `${IMAGE_REPO}:${imageTag()}`;
  try {
    await docker.getImage(name).inspect();
    return { name, built: false };
  } catch {
    /* build it */
  }
  log(`building image ${name} from this machine's binaries (no registry needed) ...`);
  const root = assembleRootfs();
  try {
    const tar = tarFs.pack(root);
    const changes = [
      ...Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`),
      'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin',
      'WORKDIR /opt/fsim',
    ];
    const [repo, tag] = name.split(':');
    const stream = (await docker.importImage(tar as unknown as NodeJS.ReadableStream, { repo, tag, changes } as unknown as object)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, res: Array<{ error?: string }>) => {
      const bad = res?.find((r) => r.error);
      if (err || bad) reject(err ?? new Error(bad!.error));
      else resolve();
    }));
    await docker.getImage(name).inspect();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { name, built: true };
}
