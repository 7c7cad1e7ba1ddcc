#!/usr/bin/env node
// Starts tslab's TypeScript kernel (https://github.com/yunabe/tslab) for flowsim's notebooks.
//
// 1. tslab 1.0.22 binds its five ZeroMQ sockets concurrently and may send a status message on the
//    iopub socket before that socket's bind has finished (zeromq 6 rejects it: "Socket is blocked
//    by a bind or unbind operation"), which kills the first execution under load. Every send here
//    waits for its socket's bind and for the previous send on that socket.
// 2. tslab runs cells as CommonJS in a vm context, where neither require() of an ESM module with
//    top-level await (vega) nor import() works; the project is ESM. So this launcher registers
//    tsx and loads notebooks/lib.ts as the global `flowsim` before the kernel starts.
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const zmq = require('zeromq');
for (const Cls of [zmq.Publisher, zmq.Router, zmq.Reply]) {
  const proto = Cls.prototype;
  const bind = proto.bind;
  const send = proto.send;
  proto.bind = function (addr) {
    this.__flowsimReady = bind.call(this, addr);
    return this.__flowsimReady;
  };
  proto.send = function (msg) {
    const prev = this.__flowsimChain ?? Promise.resolve();
    const ready = this.__flowsimReady ?? Promise.resolve();
    const p = Promise.all([prev, ready]).then(() => send.call(this, msg));
    this.__flowsimChain = p.catch(() => {});
    return p;
  };
}
(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis.flowsim = await import(pathToFileURL(path.join(__dirname, '..', 'lib.ts')).href);
  require('tslab/dist/main.js').main();
})();
