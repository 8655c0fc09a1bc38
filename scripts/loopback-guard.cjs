// Preloaded with `node --require` into tests and the demo's Playground: any connection or DNS
// lookup that is not loopback fails at once instead of hanging or leaving the machine.
'use strict';
const net = require('node:net');
const dns = require('node:dns');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1', '0.0.0.0']);
const isLoopback = (host) =>
  host === undefined || host === null || LOOPBACK.has(host) || /^127\./.test(host);

function refuse(host) {
  const error = new Error(`loopback-guard: refused connection to ${host}`);
  error.code = 'ECONNREFUSED';
  if (process.env.LOOPBACK_GUARD_QUIET !== '1') process.stderr.write(`${error.message}\n`);
  return error;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : null;
  const host = options ? options.host : typeof args[1] === 'string' ? args[1] : undefined;
  const isPipe = options
    ? options.path !== undefined
    : typeof args[0] === 'string' && Number.isNaN(Number(args[0]));
  if (!isPipe && !isLoopback(host)) {
    const error = refuse(host);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(host, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (!isLoopback(host)) return process.nextTick(() => cb(refuse(host)));
  return lookup.call(this, host, options, callback);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromisesLookup(host, options) {
  if (!isLoopback(host)) throw refuse(host);
  return promisesLookup.call(this, host, options);
};
