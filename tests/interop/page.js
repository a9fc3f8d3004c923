// wtping browser interop page, driven by tests/interop/browser.sh.
// Query: ?port=P&hash=HEX[&host=127.0.0.1][&path=/wtping][&count=100]
// Posts progress lines to /log and one JSON result to /result.
'use strict';

const params = new URLSearchParams(location.search);
const HOST = params.get('host') || '127.0.0.1';
const PORT = params.get('port');
const HASH = params.get('hash') || '';
const PATH = params.get('path') || '/wtping';
const COUNT = Number(params.get('count') || 100);

const STEP_TIMEOUT_MS = 5000;
const READY_TIMEOUT_MS = 15000;
const DGRAM_TIMEOUT_MS = 1000;      // per datagram ping
const DGRAM_BUDGET_MS = 25000;      // whole datagram phase
const DGRAM_GIVE_UP = 10;           // consecutive losses with nothing received yet

const enc = new TextEncoder();

function show(text) {
  const out = document.getElementById('out');
  if (out) out.textContent += text + '\n';
}

async function plog(text) {
  show(text);
  try {
    await fetch('/log', { method: 'POST', body: text });
  } catch (e) {
    /* logging is best effort */
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${Math.round(ms)} ms: ${what}`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

function hexToBytes(hex) {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`bad hash parameter: ${JSON.stringify(hex)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

function describeError(e) {
  let s = String(e);
  if (e && typeof e === 'object') {
    const extra = [];
    if ('source' in e) extra.push(`source=${e.source}`);
    if ('streamErrorCode' in e && e.streamErrorCode !== null) extra.push(`streamErrorCode=${e.streamErrorCode}`);
    if (extra.length) s += ` (${extra.join(' ')})`;
    if (e.stack && e.stack !== String(e)) s += '\n' + e.stack;
  }
  return s;
}

function timerResolution() {
  let best = Infinity;
  let last = performance.now();
  for (let i = 0; i < 200000 && best > 0.001; i++) {
    const now = performance.now();
    if (now !== last) {
      best = Math.min(best, now - last);
      last = now;
    }
  }
  return +best.toFixed(4);
}

// Reads text lines from a ReadableStream of bytes, across arbitrary chunking.
class LineReader {
  constructor(readable) {
    this.reader = readable.getReader();
    this.dec = new TextDecoder();
    this.buf = '';
    this.eof = false;
  }

  async fill(ms, what) {
    const r = await withTimeout(this.reader.read(), ms, what);
    if (r.done) {
      this.eof = true;
      this.buf += this.dec.decode();
    } else {
      this.buf += this.dec.decode(r.value, { stream: true });
    }
  }

  // The next line including its '\n'; at EOF the unterminated rest, or null.
  async line(ms, what) {
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const l = this.buf.slice(0, i + 1);
        this.buf = this.buf.slice(i + 1);
        return l;
      }
      if (this.eof) {
        const rest = this.buf;
        this.buf = '';
        return rest === '' ? null : rest;
      }
      await this.fill(ms, what);
    }
  }

  // Everything up to EOF.
  async rest(ms, what) {
    const deadline = performance.now() + ms;
    while (!this.eof) await this.fill(Math.max(1, deadline - performance.now()), what);
    const rest = this.buf;
    this.buf = '';
    return rest;
  }
}

async function streamPings(transport, result) {
  const bidi = await withTimeout(transport.createBidirectionalStream(), STEP_TIMEOUT_MS,
                                 'createBidirectionalStream');
  const w = bidi.writable.getWriter();
  const lr = new LineReader(bidi.readable);
  const pad = 'x'.repeat(32);
  for (let seq = 1; seq <= COUNT; seq++) {
    const want = `pong ${seq} ${pad}\n`;
    const t0 = performance.now();
    await withTimeout(w.write(enc.encode(`ping ${seq} ${pad}\n`)), STEP_TIMEOUT_MS,
                      `writing stream ping ${seq}`);
    const line = await lr.line(STEP_TIMEOUT_MS, `stream pong ${seq}`);
    const t1 = performance.now();
    if (line === null) throw new Error(`stream ended before pong ${seq}`);
    if (line !== want) {
      throw new Error(`stream ping ${seq}: got ${JSON.stringify(line)}, want ${JSON.stringify(want)}`);
    }
    result.stream_rtts.push(+(t1 - t0).toFixed(4));
  }
  await withTimeout(w.close(), STEP_TIMEOUT_MS, 'closing the ping stream');
  try {
    const rest = await lr.rest(STEP_TIMEOUT_MS, 'FIN of the ping stream');
    result.stream_fin = true;
    if (rest !== '') result.stream_trailing = rest;
  } catch (e) {
    result.stream_fin = false;
    await plog(`ping stream: ${describeError(e)}`);
  }
}

async function datagramPings(transport, result) {
  const dg = transport.datagrams;
  const writable = dg.writable || dg.createWritable();
  const writer = writable.getWriter();
  const reader = dg.readable.getReader();
  const dec = new TextDecoder();
  let waiting = null;  // {seq, resolve}
  let released = false;
  result.datagram_stray = 0;

  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const now = performance.now();
      const m = /^pong (\d+)$/.exec(dec.decode(value));
      if (m && waiting && Number(m[1]) === waiting.seq) {
        const wt = waiting;
        waiting = null;
        wt.resolve(now);
      } else {
        result.datagram_stray++;  // late or unexpected
      }
    }
  })().catch((e) => { if (!released) result.datagram_reader_error = String(e); });

  const start = performance.now();
  let consecutive = 0;
  for (let seq = 1; seq <= COUNT; seq++) {
    if (performance.now() - start > DGRAM_BUDGET_MS ||
        (consecutive >= DGRAM_GIVE_UP && result.datagram_rtts.length === 0)) {
      const left = COUNT - seq + 1;
      result.datagram_lost += left;
      await plog(`datagrams: giving up, ${left} not sent (counted lost)`);
      break;
    }
    const got = new Promise((resolve) => { waiting = { seq, resolve }; });
    const t0 = performance.now();
    await withTimeout(writer.write(enc.encode(`ping ${seq}`)), STEP_TIMEOUT_MS,
                      `writing datagram ${seq}`);
    let t1 = null;
    try {
      t1 = await withTimeout(got, DGRAM_TIMEOUT_MS, `datagram pong ${seq}`);
    } catch (e) {
      waiting = null;
    }
    if (t1 === null) {
      result.datagram_lost++;
      consecutive++;
    } else {
      result.datagram_rtts.push(+(t1 - t0).toFixed(4));
      consecutive = 0;
    }
  }
  released = true;
  writer.releaseLock();
  reader.releaseLock();   // the pump's pending read rejects; it is caught
  await pump;
}

async function unknownMessage(transport, result) {
  const bidi = await withTimeout(transport.createBidirectionalStream(), STEP_TIMEOUT_MS,
                                 'createBidirectionalStream (unknown message)');
  const w = bidi.writable.getWriter();
  const lr = new LineReader(bidi.readable);
  await withTimeout(w.write(enc.encode('hello\n')), STEP_TIMEOUT_MS, 'writing hello');
  const reply = await lr.line(STEP_TIMEOUT_MS, 'reply to hello');
  result.unknown_reply = reply;
  await withTimeout(w.close(), STEP_TIMEOUT_MS, 'closing the hello stream');
  const rest = await lr.rest(STEP_TIMEOUT_MS, 'server FIN after hello');
  if (rest !== '') result.unknown_reply = (reply || '') + rest;
  result.unknown_fin = true;
}

async function uniStreams(transport, result) {
  const incoming = transport.incomingUnidirectionalStreams.getReader();
  const us = await withTimeout(transport.createUnidirectionalStream(), STEP_TIMEOUT_MS,
                               'createUnidirectionalStream');
  const uw = us.getWriter();
  await withTimeout(uw.write(enc.encode('ping uni-1\nping uni-2\n')), STEP_TIMEOUT_MS,
                    'writing the uni stream');
  await withTimeout(uw.close(), STEP_TIMEOUT_MS, 'closing the uni stream');
  const { value: rs, done } = await withTimeout(incoming.read(), STEP_TIMEOUT_MS,
                                                'server-initiated unidirectional stream');
  if (done) throw new Error('incomingUnidirectionalStreams ended');
  incoming.releaseLock();
  const lr = new LineReader(rs);
  result.uni_reply = await lr.rest(STEP_TIMEOUT_MS, 'FIN of the server uni stream');
}

async function main() {
  const result = {
    ok: false,
    stream_rtts: [],
    datagram_rtts: [],
    datagram_lost: 0,
    unknown_reply: null,
    unknown_fin: false,
    uni_reply: null,
    error: null,
    user_agent: navigator.userAgent,
    cross_origin_isolated: self.crossOriginIsolated,
    timer_resolution_ms: timerResolution(),
  };
  let step = 'setup';
  let transport = null;
  try {
    if (!('WebTransport' in self)) throw new Error('no WebTransport in this context');
    if (!PORT) throw new Error('missing port parameter');
    const url = `https://${HOST}:${PORT}${PATH}`;
    step = 'connect';
    await plog(`connecting to ${url} (crossOriginIsolated=${self.crossOriginIsolated}, ` +
               `timer resolution ${result.timer_resolution_ms} ms)`);
    transport = new WebTransport(url, {
      serverCertificateHashes: [{ algorithm: 'sha-256', value: hexToBytes(HASH) }],
    });
    transport.closed.then(
      (info) => plog(`transport.closed resolved: ${JSON.stringify(info)}`),
      (e) => plog(`transport.closed rejected: ${describeError(e)}`));
    const t0 = performance.now();
    await withTimeout(transport.ready, READY_TIMEOUT_MS, 'transport.ready');
    await plog(`ready after ${(performance.now() - t0).toFixed(1)} ms` +
               (transport.datagrams.maxDatagramSize !== undefined
                 ? `, maxDatagramSize=${transport.datagrams.maxDatagramSize}` : ''));

    step = 'stream pings';
    await streamPings(transport, result);
    await plog(`stream pings: ${result.stream_rtts.length} pongs`);

    step = 'datagram pings';
    await datagramPings(transport, result);
    await plog(`datagram pings: ${result.datagram_rtts.length} pongs, ` +
               `${result.datagram_lost} lost, ${result.datagram_stray} stray`);

    step = 'unknown message';
    await unknownMessage(transport, result);
    await plog(`unknown message reply: ${JSON.stringify(result.unknown_reply)}, FIN seen`);

    step = 'unidirectional streams';
    await uniStreams(transport, result);
    await plog(`uni reply: ${JSON.stringify(result.uni_reply)}`);

    step = 'close';
    transport.close({ closeCode: 7, reason: 'bye' });
    result.close_info = await withTimeout(transport.closed, STEP_TIMEOUT_MS, 'transport.closed');
    transport = null;
    result.ok = true;
  } catch (e) {
    result.ok = false;
    result.error = `${step}: ${describeError(e)}`;
    await plog(`FAILED in ${result.error}`);
    if (transport) {
      try { transport.close({ closeCode: 1, reason: 'test failed' }); } catch (e2) { /* ignore */ }
    }
  }
  try {
    await fetch('/result', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(result),
    });
  } catch (e) {
    show(`posting the result failed: ${e}`);
  }
}

main();
