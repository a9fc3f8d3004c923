// wtping ping page: WebTransport ping-pong with a wtping-server from the
// browser. Plain script (no modules, so that it also runs from file://), no
// dependencies.
//
// Fragment (all optional, as written by `wtpctl page`):
//   #url=https%3A%2F%2Fhost%3A4433%2Fwtping&hash=HEX_OR_B64&hash=...
//    &mode=stream|datagram&interval=MS&count=N
//
// The wtping line protocol (docs/protocol.md): on a stream "ping <rest>\n"
// is answered by "pong <rest>\n"; a datagram "ping <rest>" by "pong <rest>".
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();

  const READY_TIMEOUT_MS = 10000;
  const MIN_LOSS_TIMEOUT_MS = 2000; // a ping without a pong after this is lost
  const MAX_POINTS = 300; // the chart shows the latest pings
  const MAX_RTTS = 100000; // p50/p99 over the latest pongs (a run may last days)

  // ------------------------------------------------------------ messages

  function log(text, cls) {
    const li = document.createElement('li');
    li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
    if (cls) li.className = cls;
    const ol = $('log');
    ol.appendChild(li);
    while (ol.children.length > 500) ol.removeChild(ol.firstChild);
    ol.scrollTop = ol.scrollHeight;
  }

  function status(text, cls) {
    const p = $('status');
    p.textContent = text;
    p.className = `status ${cls || 'info'}`;
  }

  function setState(s) {
    document.body.dataset.state = s;
    const busy = s === 'connecting' || s === 'running';
    $('start').disabled = busy;
    $('stop').disabled = !busy;
  }

  // ------------------------------------------------------------ inputs

  // parseHash accepts 64 hex digits (colons or spaces allowed) or the
  // base64 of 32 bytes (standard or URL-safe, padding optional).
  function parseHash(text) {
    const t = text.trim();
    const hex = t.replace(/[:\s]/g, '');
    if (/^[0-9a-fA-F]{64}$/.test(hex)) {
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
      return out;
    }
    let b = t.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    if (/^sha-?256:/i.test(b)) b = b.replace(/^sha-?256:/i, '');
    if (/^[A-Za-z0-9+/]{43}$/.test(b)) {
      const bin = atob(b + '=');
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = bin.charCodeAt(i);
      return out;
    }
    return null;
  }

  function readForm() {
    const url = $('url').value.trim();
    if (!url) throw new UserError('Enter the server URL, e.g. https://server.example:4433/wtping.');
    let u;
    try {
      u = new URL(url);
    } catch (e) {
      throw new UserError(`"${url}" is not a URL. Write https://HOST:PORT/PATH.`);
    }
    if (u.protocol !== 'https:') {
      throw new UserError(`WebTransport needs an https:// URL (got ${u.protocol}//). ` +
                          'The server listens on UDP; the default port is 4433.');
    }
    const hashes = [];
    const lines = $('hashes').value.split(/[\n,]+/).map((l) => l.trim()).filter((l) => l);
    for (const [i, l] of lines.entries()) {
      const h = parseHash(l);
      if (!h) {
        throw new UserError(`Hash ${i + 1} ("${l.slice(0, 70)}") is neither 64 hex digits ` +
                            'nor 44 base64 characters: copy it from `wtpctl cert`.');
      }
      hashes.push(h);
    }
    const interval = Number($('interval').value);
    if (!Number.isFinite(interval) || interval < 10 || interval > 60000) {
      throw new UserError('The interval must be 10 to 60000 ms.');
    }
    const count = Number($('count').value);
    if (!Number.isInteger(count) || count < 0 || count > 1000000) {
      throw new UserError('The count must be a whole number, 0 (until stopped) to 1000000.');
    }
    return { url: u.href, hashes, mode: $('mode').value, interval, count };
  }

  function fillFromFragment() {
    const f = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (f.get('url')) $('url').value = f.get('url');
    const hs = f.getAll('hash').concat(f.getAll('hashes').flatMap((v) => v.split(',')));
    if (hs.length) $('hashes').value = hs.map((h) => h.trim()).filter((h) => h).join('\n');
    if (f.get('mode') === 'stream' || f.get('mode') === 'datagram') $('mode').value = f.get('mode');
    if (f.get('interval')) $('interval').value = f.get('interval');
    if (f.get('count')) $('count').value = f.get('count');
  }

  class UserError extends Error {}

  // explain turns what the browser reports into advice. Browsers say little
  // about why a WebTransport session could not be opened (Chromium:
  // "Opening handshake failed.", Firefox: "WebTransport connection
  // rejected"), so the likely causes are listed.
  function explain(e, phase, cfg) {
    if (e instanceof UserError) return e.message;
    const what = e && e.name && e.message ? `${e.name}: ${e.message}` : String(e);
    const code = e && e.streamErrorCode != null ? ` (stream error code ${e.streamErrorCode})` : '';
    if (phase === 'create') {
      if (e && e.name === 'NotSupportedError') {
        return `The browser refused the certificate hashes (${what}). This browser may not ` +
               'support serverCertificateHashes.';
      }
      return `The browser refused the URL or options: ${what}`;
    }
    if (phase === 'connect') {
      const tips = [
        `Could not open a WebTransport session to ${cfg.url} (${what}).`,
        'Likely causes:',
        '• the server is not running or not reachable over UDP at this host and port ' +
          '(firewalls often block UDP; `wtpctl status` on the server);',
      ];
      if (cfg.hashes.length) {
        tips.push('• the hashes do not match the certificate the server presents now: get fresh ' +
                  'ones with `wtpctl cert` or a new link with `wtpctl page` (a self-rotating server ' +
                  'changes its certificate every few days);');
        tips.push('• the certificate is not usable with hashes: browsers require ECDSA (P-256) and ' +
                  'a validity of at most 14 days, currently valid (check this computer\'s clock);');
      } else {
        tips.push('• the browser does not trust the server\'s certificate: without hashes it must ' +
                  'come from a CA the browser trusts and name this host. Otherwise paste the ' +
                  'hashes from `wtpctl cert`;');
      }
      tips.push('• the path is wrong (the server\'s `path` setting, /wtping by default).');
      return tips.join('\n');
    }
    if (e && e.source === 'session') return `The session ended: ${what}`;
    if (e && e.source === 'stream') return `The server reset the ping stream${code}: ${what}`;
    return `${phase}: ${what}${code}`;
  }

  // ------------------------------------------------------------ statistics

  class Stats {
    constructor(lossTimeout) {
      this.lossTimeout = lossTimeout;
      this.sent = 0;
      this.received = 0;
      this.lost = 0;
      this.late = 0;
      this.points = []; // {seq, rtt} or {seq, lost: true}, in send order (the latest)
      this.rtts = []; // for the percentiles: the latest MAX_RTTS
      this.sorted = null;
      this.jitterSum = 0;
      this.prevRtt = null;
      this.pending = new Map(); // seq -> {t0, point}
    }

    onSend(seq, t0) {
      this.sent++;
      const point = { seq, rtt: null };
      this.pending.set(seq, { t0, point });
      this.points.push(point);
      if (this.points.length > 2 * MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
    }

    onPong(seq, t1) {
      const p = this.pending.get(seq);
      if (!p) {
        this.late++;
        return false;
      }
      this.pending.delete(seq);
      const rtt = t1 - p.t0;
      p.point.rtt = rtt;
      this.received++;
      this.rtts.push(rtt);
      if (this.rtts.length > 2 * MAX_RTTS) this.rtts.splice(0, this.rtts.length - MAX_RTTS);
      this.sorted = null;
      if (this.prevRtt !== null) this.jitterSum += Math.abs(rtt - this.prevRtt);
      this.prevRtt = rtt;
      return true;
    }

    // expire marks pings older than the loss timeout as lost.
    expire(now, all) {
      for (const [seq, p] of this.pending) {
        if (all || now - p.t0 >= this.lossTimeout) {
          this.pending.delete(seq);
          p.point.lost = true;
          this.lost++;
        }
      }
    }

    pct(q) {
      if (!this.rtts.length) return null;
      if (!this.sorted) this.sorted = Float64Array.from(this.rtts).sort();
      const i = Math.min(this.sorted.length - 1, Math.max(0, Math.ceil(q * this.sorted.length) - 1));
      return this.sorted[i];
    }

    jitter() {
      return this.received > 1 ? this.jitterSum / (this.received - 1) : null;
    }
  }

  const ms = (v) => (v === null || v === undefined ? '–' : `${v.toFixed(v < 10 ? 2 : 1)} ms`);

  function showStats(st) {
    $('sent').textContent = st.sent;
    $('received').textContent = st.received;
    $('lost').textContent = st.lost + (st.late ? ` (+${st.late} late)` : '');
    const done = st.received + st.lost;
    $('loss').textContent = done ? `${((100 * st.lost) / done).toFixed(1)} %` : '–';
    $('last').textContent = ms(st.rtts.length ? st.rtts[st.rtts.length - 1] : null);
    $('min').textContent = ms(st.pct(0));
    $('p50').textContent = ms(st.pct(0.5));
    $('p99').textContent = ms(st.pct(0.99));
    $('max').textContent = ms(st.pct(1));
    $('jitter').textContent = ms(st.jitter());
  }

  // ------------------------------------------------------------ chart


  function drawChart(st) {
    const c = $('chart');
    const dpr = window.devicePixelRatio || 1;
    const cssW = c.clientWidth || c.width, cssH = c.clientHeight || c.height;
    if (c.width !== Math.round(cssW * dpr) || c.height !== Math.round(cssH * dpr)) {
      c.width = Math.round(cssW * dpr);
      c.height = Math.round(cssH * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    const pad = { l: 52, r: 12, t: 14, b: 24 };
    const w = cssW - pad.l - pad.r, h = cssH - pad.t - pad.b;
    const pts = st ? st.points.slice(-MAX_POINTS) : [];
    const got = pts.filter((p) => p.rtt !== null);
    c.dataset.points = String(got.length);
    c.dataset.lost = String(pts.filter((p) => p.lost).length);

    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#5b6670';
    g.strokeStyle = '#d5dae0';
    g.lineWidth = 1;
    if (!pts.length) {
      g.fillText('round-trip times appear here', pad.l + 8, pad.t + h / 2);
      return;
    }
    // y axis: 0 .. a round value above the largest RTT shown
    let top = Math.max(0.1, ...got.map((p) => p.rtt)) * 1.15;
    const mag = Math.pow(10, Math.floor(Math.log10(top)));
    top = Math.ceil(top / mag) * mag;
    const y = (v) => pad.t + h - (v / top) * h;
    const x = (i) => pad.l + (pts.length === 1 ? w / 2 : (i * w) / (pts.length - 1));
    for (let k = 0; k <= 4; k++) {
      const v = (top * k) / 4;
      g.beginPath();
      g.moveTo(pad.l, Math.round(y(v)) + 0.5);
      g.lineTo(pad.l + w, Math.round(y(v)) + 0.5);
      g.stroke();
      g.fillText(`${+v.toPrecision(3)} ms`, 4, y(v) + 4);
    }
    g.fillText(`ping #${pts[0].seq} … #${pts[pts.length - 1].seq}`, pad.l, cssH - 6);

    // percentile lines
    const lines = [['p50', st.pct(0.5), '#1a7f37'], ['p99', st.pct(0.99), '#9a6700']];
    g.setLineDash([5, 4]);
    for (const [name, v, color] of lines) {
      if (v === null) continue;
      g.strokeStyle = color;
      g.beginPath();
      g.moveTo(pad.l, y(v));
      g.lineTo(pad.l + w, y(v));
      g.stroke();
      g.fillStyle = color;
      g.fillText(name, pad.l + w - 24, y(v) - 3);
    }
    g.setLineDash([]);

    // the RTT line and points
    g.strokeStyle = '#1f6feb';
    g.fillStyle = '#1f6feb';
    g.lineWidth = 1.5;
    g.beginPath();
    let pen = false;
    pts.forEach((p, i) => {
      if (p.rtt === null) { pen = false; return; }
      if (pen) g.lineTo(x(i), y(p.rtt)); else g.moveTo(x(i), y(p.rtt));
      pen = true;
    });
    g.stroke();
    const r = pts.length > 120 ? 1.5 : 2.5;
    pts.forEach((p, i) => {
      if (p.rtt === null) return;
      g.beginPath();
      g.arc(x(i), y(p.rtt), r, 0, 2 * Math.PI);
      g.fill();
    });
    // losses: red marks along the top
    g.strokeStyle = '#cf222e';
    g.lineWidth = 2;
    pts.forEach((p, i) => {
      if (!p.lost) return;
      g.beginPath();
      g.moveTo(x(i), pad.t);
      g.lineTo(x(i), pad.t + 10);
      g.stroke();
    });
  }

  let drawQueued = false;
  let shown = null; // the statistics on display
  function refresh(st) {
    if (st) shown = st;
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(() => {
      drawQueued = false;
      if (shown) showStats(shown);
      drawChart(shown);
    });
  }

  // flush shows |st| now (requestAnimationFrame does not run in a hidden tab)
  function flush(st) {
    shown = st;
    showStats(st);
    drawChart(st);
  }

  // ------------------------------------------------------------ pinging

  const sleep = (t) => new Promise((res) => setTimeout(res, Math.max(0, t)));

  function timeout(promise, t, what) {
    let timer;
    return Promise.race([
      promise,
      new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${t / 1000} s (${what})`)), t); }),
    ]).finally(() => clearTimeout(timer));
  }

  // A channel sends "ping SEQ" and reports "pong SEQ" arrivals.
  async function streamChannel(transport, onPong) {
    const bidi = await transport.createBidirectionalStream();
    const writer = bidi.writable.getWriter();
    const reader = bidi.readable.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        const now = performance.now();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const m = /^pong (\d+)(?: |$)/.exec(line);
          if (m) onPong(Number(m[1]), now);
          else log(`unexpected line from the server: ${JSON.stringify(line.slice(0, 80))}`, 'warn');
        }
        if (buf.length > 65536) throw new Error('the server sent a line longer than 64 KiB');
      }
    })();
    return {
      send: (seq) => writer.write(enc.encode(`ping ${seq} wtping-page\n`)),
      close: async () => { try { await writer.close(); } catch (e) { /* already gone */ } },
      pump,
    };
  }

  async function datagramChannel(transport, onPong) {
    const dg = transport.datagrams;
    const writable = dg.createWritable ? dg.createWritable() : dg.writable;
    const writer = writable.getWriter();
    const reader = dg.readable.getReader();
    const dec = new TextDecoder();
    let closing = false;
    const pump = (async () => {
      for (;;) {
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          if (closing) return;
          throw e;
        }
        const now = performance.now();
        if (r.done) return;
        const m = /^pong (\d+)(?: |$)/.exec(dec.decode(r.value));
        if (m) onPong(Number(m[1]), now);
      }
    })();
    return {
      send: (seq) => writer.write(enc.encode(`ping ${seq} wtping-page`)),
      close: async () => {
        closing = true;
        try { writer.releaseLock(); reader.releaseLock(); } catch (e) { /* ignore */ }
      },
      pump,
    };
  }

  let run = null; // the run in progress: {stop: bool, transport}

  async function start(ev) {
    if (ev) ev.preventDefault();
    if (run) return;
    let cfg;
    try {
      cfg = readForm();
    } catch (e) {
      status(explain(e, 'input'), 'error');
      setState('failed');
      return;
    }
    const me = { stop: false, closing: false, transport: null };
    run = me;
    const st = new Stats(Math.max(MIN_LOSS_TIMEOUT_MS, 3 * cfg.interval));
    refresh(st);
    setState('connecting');
    status(`Connecting to ${cfg.url} …`, 'info');
    log(`connecting to ${cfg.url}` + (cfg.hashes.length ? ` with ${cfg.hashes.length} certificate hash(es)` : ''));

    if (typeof WebTransport === 'undefined') {
      status('This browser offers no WebTransport here. Use a current Chromium, Chrome, Edge or ' +
             'Firefox, and open the page from file://, https:// or http://localhost ' +
             '(WebTransport needs a secure context).', 'error');
      setState('failed');
      run = null;
      return;
    }
    let phase = 'create';
    let chan = null;
    try {
      const opts = {};
      if (cfg.hashes.length) {
        opts.serverCertificateHashes = cfg.hashes.map((value) => ({ algorithm: 'sha-256', value }));
      }
      const t = new WebTransport(cfg.url, opts);
      me.transport = t;
      t.closed.then(
        (info) => { if (!me.stop && !me.closing) log(`the server closed the session (code ${info.closeCode}, "${info.reason}")`, 'warn'); },
        () => { /* reported where it is awaited */ });
      phase = 'connect';
      const t0 = performance.now();
      await timeout(t.ready, READY_TIMEOUT_MS, 'opening the session');
      log(`session open in ${(performance.now() - t0).toFixed(1)} ms`);
      if (me.stop) throw new UserError('Stopped.');

      phase = cfg.mode === 'stream' ? 'opening the ping stream' : 'datagrams';
      const onPong = (seq, now) => { if (st.onPong(seq, now)) refresh(st); };
      chan = cfg.mode === 'stream' ? await streamChannel(t, onPong) : await datagramChannel(t, onPong);
      let pumpError = null;
      chan.pump.catch((e) => { pumpError = e; });
      // a closed session ends the run at once
      const closed = t.closed.then(() => { throw new UserError('The server closed the session.'); });
      closed.catch(() => {});

      setState('running');
      status(`Pinging ${cfg.url} over ${cfg.mode === 'stream' ? 'a stream' : 'datagrams'} ` +
             `every ${cfg.interval} ms${cfg.count ? `, ${cfg.count} times` : ''} …`, 'info');
      phase = 'pinging';
      const begin = performance.now();
      for (let seq = 1; (cfg.count === 0 || seq <= cfg.count) && !me.stop; seq++) {
        if (pumpError) throw pumpError;
        const now = performance.now();
        st.onSend(seq, now);
        await Promise.race([chan.send(seq), closed]);
        st.expire(performance.now(), false);
        refresh(st);
        await Promise.race([sleep(begin + seq * cfg.interval - performance.now()), closed]);
      }
      // wait for the last pongs (bounded by the loss timeout)
      const until = performance.now() + st.lossTimeout;
      while (st.pending.size && performance.now() < until && !me.stop) {
        if (pumpError) throw pumpError;
        await Promise.race([sleep(20), closed]);
      }
      st.expire(performance.now(), true);
      flush(st);
      await chan.close();
      me.closing = true;
      t.close({ closeCode: 0, reason: 'done' });
      const lossText = st.lost ? `, ${st.lost} lost` : ', none lost';
      status(`Done: ${st.received} of ${st.sent} pongs${lossText}; p50 ${ms(st.pct(0.5))}, ` +
             `p99 ${ms(st.pct(0.99))}, jitter ${ms(st.jitter())}.`, st.lost ? 'warn' : 'ok');
      log(`done: ${st.sent} sent, ${st.received} received, ${st.lost} lost`);
      setState('done');
    } catch (e) {
      st.expire(performance.now(), true);
      flush(st);
      if (me.stop && (e instanceof UserError || phase !== 'create')) {
        status(`Stopped: ${st.received} of ${st.sent} pongs.`, 'info');
        setState('done');
      } else {
        const text = explain(e, phase, cfg);
        status(text, 'error');
        log(text.split('\n')[0], 'error');
        setState('failed');
      }
      if (chan) await chan.close();
      me.closing = true;
      try { if (me.transport) me.transport.close({ closeCode: 1, reason: 'ping page stopped' }); } catch (e2) { /* ignore */ }
    } finally {
      run = null;
    }
  }

  function stop() {
    if (!run) return;
    run.stop = true;
    log('stopping');
  }

  // ------------------------------------------------------------ wiring

  fillFromFragment();
  window.addEventListener('hashchange', fillFromFragment);
  $('form').addEventListener('submit', start);
  $('stop').addEventListener('click', stop);
  window.addEventListener('resize', () => refresh(null));
  drawChart(null);
  if (typeof WebTransport === 'undefined') {
    status('This browser offers no WebTransport here (it needs a current Chromium or Firefox, ' +
           'and a secure context: file://, https:// or http://localhost).', 'error');
  } else if ($('url').value) {
    status('Ready: press Start.', 'info');
  }
})();
