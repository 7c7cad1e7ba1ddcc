// Minimal Redis (RESP2) client: one connection, one outstanding command at a time.
// Written here instead of adding an npm client so the testbed runtime has no dependencies and can be
// copied as-is into a namespace or a container. Plain JavaScript: it runs under `node` without tsx.
import net from 'node:net';

export class Resp {
  /** @param {string} host @param {number} port @param {number} timeoutMs */
  static connect(host, port, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const t = setTimeout(() => {
        sock.destroy();
        reject(new Error(`redis ${host}:${port}: connect timeout`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(t);
        sock.setNoDelay(true);
        resolve(new Resp(sock, `${host}:${port}`));
      });
      sock.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  constructor(sock, name) {
    this.sock = sock;
    this.name = name;
    this.chunks = [];
    this.len = 0;
    this.waiter = null;
    sock.on('data', (d) => {
      this.chunks.push(d);
      this.len += d.length;
      this.tryParse();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error(`redis ${name}: connection closed`)));
  }

  fail(e) {
    const w = this.waiter;
    this.waiter = null;
    if (w) w.reject(e);
  }

  tryParse() {
    if (!this.waiter || this.len === 0) return;
    // Only the header line is looked at until the whole reply has arrived: concatenating every
    // chunk on every 'data' event would copy O(n^2) bytes for a large value.
    let head = this.chunks[0];
    let eol = head.indexOf('\r\n');
    if (eol < 0 && this.chunks.length > 1) {
      head = Buffer.concat(this.chunks, this.len);
      this.chunks = [head];
      eol = head.indexOf('\r\n');
    }
    if (eol < 0) return;
    if (head[0] === 0x24 /* $ */) {
      const n = Number(head.subarray(1, eol).toString('latin1'));
      if (n >= 0 && this.len < eol + 2 + n + 2) return;
    }
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.len);
    this.chunks = [buf];
    const type = String.fromCharCode(buf[0]);
    const line = buf.subarray(1, eol).toString('latin1');
    let value;
    let used;
    if (type === '+' || type === ':') {
      value = line;
      used = eol + 2;
    } else if (type === '-') {
      used = eol + 2;
      this.consume(used);
      const w = this.waiter;
      this.waiter = null;
      w.reject(new Error(`redis ${this.name}: ${line}`));
      return;
    } else if (type === '$') {
      const n = Number(line);
      if (n < 0) {
        value = null;
        used = eol + 2;
      } else {
        if (buf.length < eol + 2 + n + 2) return; // wait for the whole bulk string
        value = buf.subarray(eol + 2, eol + 2 + n);
        used = eol + 2 + n + 2;
      }
    } else {
      this.fail(new Error(`redis ${this.name}: unsupported reply type ${JSON.stringify(type)}`));
      return;
    }
    this.consume(used);
    const w = this.waiter;
    this.waiter = null;
    w.resolve(value);
  }

  consume(n) {
    const buf = this.chunks[0];
    const rest = buf.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.len = rest.length;
  }

  /** Sends one command (array of strings/Buffers) and resolves with its reply. */
  command(args, timeoutMs = 120000) {
    if (this.waiter) return Promise.reject(new Error(`redis ${this.name}: command already in flight`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`redis ${this.name}: timeout after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
      const parts = [Buffer.from(`*${args.length}\r\n`)];
      for (const a of args) {
        const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
        parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
      }
      // one write of headers, then the (possibly large) payload buffers: no concatenation copy
      for (const p of parts) this.sock.write(p);
    });
  }

  set(key, value) {
    return this.command(['SET', key, value]);
  }

  get(key) {
    return this.command(['GET', key]);
  }

  close() {
    this.sock.removeAllListeners('close');
    this.sock.destroy();
  }
}
