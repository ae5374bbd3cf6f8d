/**
 * The tracking page's browser script, served as /track/assets/track.js (the page has no inline
 * script, so the CSP can say script-src 'self'). Plain ES2017 for any current browser; it renders
 * the state the server embedded (data-tracking JSON), then keeps it current over graphql-ws with
 * the UMD client (global `graphqlWs`), anonymously. It only ever writes textContent, never HTML.
 * On every (re)connection it refetches `tracking` over HTTP, so events that happened between the
 * page render and the subscription (or during an outage) are not missed; a state replaces the shown
 * one only if it has at least as many events (events are never deleted), so a late answer cannot
 * roll the page back.
 */
import { STATUS_LABELS, TEXTS } from './i18n.js';

/** The PublicTracking selection: the server's initial query, the refetch and the subscription use it. */
export const TRACKING_FIELDS = 'trackingNumber carrierName status estimatedDeliveryFrom estimatedDeliveryTo destinationCity events { status occurredAt location description }';

const BODY = String.raw`
(function () {
  'use strict';
  var root = document.getElementById('tracking');
  if (!root || !window.graphqlWs) return;
  var state = JSON.parse(root.getAttribute('data-tracking') || 'null');
  if (!state) return;
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';

  var langs = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
  var lang = 'en';
  for (var i = 0; i < langs.length; i++) {
    var base = String(langs[i]).toLowerCase().split('-')[0];
    if (base === 'ru' || base === 'en') { lang = base; break; }
  }
  var locale = langs[0] || lang;
  var T = TEXTS[lang];
  var L = STATUS_LABELS[lang];
  document.documentElement.lang = lang;

  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) el.textContent = value; }
  function statusLabel(s) { return L[s] || s; }
  function dateFormat(opts) {
    try { return new Intl.DateTimeFormat(locale, opts); } catch (e) { return new Intl.DateTimeFormat(lang, opts); }
  }
  var dayFmt = dateFormat({ day: 'numeric', month: 'long' });
  var timeFmt = dateFormat({ day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

  function eta(from, to) {
    var a = from ? new Date(from) : null;
    var b = to ? new Date(to) : null;
    if (a && b) return dayFmt.formatRange ? dayFmt.formatRange(a, b) : dayFmt.format(a) + ' – ' + dayFmt.format(b);
    if (a || b) return dayFmt.format(a || b);
    return T.unknown;
  }
  function key(e) { return e.status + '|' + e.occurredAt + '|' + (e.location || '') + '|' + (e.description || ''); }

  var seen = {};
  state.events.forEach(function (e) { seen[key(e)] = true; });

  function render(fresh) {
    document.title = T.title + ' ' + state.trackingNumber;
    var labels = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < labels.length; i++) labels[i].textContent = T[labels[i].getAttribute('data-i18n')] || '';
    text('number', state.trackingNumber);
    var status = $('status');
    status.textContent = statusLabel(state.status);
    status.setAttribute('data-status', state.status);
    text('carrier', state.carrierName);
    text('eta', eta(state.estimatedDeliveryFrom, state.estimatedDeliveryTo));
    text('city', state.destinationCity || T.unknown);
    var list = $('events');
    list.textContent = '';
    // Newest first, as the server's list is oldest first.
    var events = state.events.slice().reverse();
    if (!events.length) {
      var empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = T.noEvents;
      list.appendChild(empty);
    }
    events.forEach(function (e, idx) {
      var li = document.createElement('li');
      li.className = 'event' + (idx === 0 ? ' latest' : '') + (fresh && fresh[key(e)] ? ' new' : '');
      li.setAttribute('data-status', e.status);
      var head = document.createElement('div');
      head.className = 'event-head';
      var title = document.createElement('strong');
      title.textContent = statusLabel(e.status);
      var when = document.createElement('time');
      when.setAttribute('datetime', e.occurredAt);
      when.textContent = timeFmt.format(new Date(e.occurredAt));
      head.appendChild(title);
      head.appendChild(when);
      li.appendChild(head);
      var detail = [e.location, e.description].filter(Boolean).join(' · ');
      if (detail) {
        var p = document.createElement('p');
        p.textContent = detail;
        li.appendChild(p);
      }
      list.appendChild(li);
    });
  }

  function apply(next) {
    if (!next || next.trackingNumber !== state.trackingNumber || next.events.length < state.events.length) return;
    var fresh = {};
    next.events.forEach(function (e) { if (!seen[key(e)]) { fresh[key(e)] = true; seen[key(e)] = true; } });
    state = next;
    render(fresh);
  }

  function connection(kind) {
    var el = $('live');
    if (!el) return;
    el.setAttribute('data-connection', kind);
    el.textContent = kind === 'live' ? T.live : kind === 'offline' ? T.offline : T.connecting;
  }

  function refetch() {
    return fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: 'query ($n: String!) { tracking(trackingNumber: $n) { ' + FIELDS + ' } }', variables: { n: state.trackingNumber } }),
      credentials: 'omit',
    })
      .then(function (r) { return r.json(); })
      .then(function (r) { if (r && r.data && r.data.tracking) apply(r.data.tracking); })
      .catch(function () {});
  }

  render(null);
  connection('connecting');
  var ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint;
  var client = window.graphqlWs.createClient({
    url: ws,
    connectionParams: {},
    lazy: false,
    keepAlive: 20000,
    retryAttempts: Infinity,
    shouldRetry: function () { return true; },
    on: {
      connected: function () { refetch().then(function () { connection('live'); }); },
      closed: function () { connection('offline'); },
    },
  });
  client.subscribe(
    { query: 'subscription ($n: String!) { shipmentTracking(trackingNumber: $n) { tracking { ' + FIELDS + ' } } }', variables: { n: state.trackingNumber } },
    {
      next: function (r) { if (r.data && r.data.shipmentTracking) apply(r.data.shipmentTracking.tracking); },
      error: function () { connection('offline'); },
      complete: function () {},
    },
  );
})();
`;

/** The script: the word tables and the selection, then the code above, in one function scope (no globals). */
export const TRACK_JS = `(function () {\nvar TEXTS = ${JSON.stringify(TEXTS)};\nvar STATUS_LABELS = ${JSON.stringify(STATUS_LABELS)};\nvar FIELDS = ${JSON.stringify(TRACKING_FIELDS)};\n${BODY}})();\n`;
