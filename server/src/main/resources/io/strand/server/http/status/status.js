'use strict';
// The status page: fetches this broker's /api/... JSON every 2 s and builds the page with DOM calls only.
// Every value from the cluster (topic names, keys, values, headers, client ids, errors) enters the document
// as a text node, never as markup, so nothing in the data can become an element or a script.
(() => {
  const REFRESH_MS = 2000;
  const view = document.body.dataset.view;
  const params = new URLSearchParams(location.search);
  const main = document.getElementById('main');
  const refreshLine = document.getElementById('refresh');
  let paused = false;
  let timer = null;

  // ---------------------------------------------------------------- building blocks
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : String(c)); // a string becomes a text node
    }
    return e;
  }
  const DASH = '\u2013';
  const none = v => v === undefined || v === null;
  const num = v => none(v) ? DASH : Number(v).toLocaleString('en-US');
  const ms = v => none(v) ? DASH : (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
  const rate = v => none(v) ? DASH : (v < 10 ? v.toFixed(2) : v.toFixed(0)) + '/s';
  function bytes(v) {
    if (none(v) || v < 0) return DASH;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }
  const link = (path, query, ...text) => el('a', { href: path + '?' + new URLSearchParams(query) }, ...text);
  const topicLink = name => link('/topic', { name }, name);
  const groupLink = id => link('/group', { id }, id);
  const peekLink = (topic, partition, text) => link('/peek', { topic, partition }, text || 'peek');
  const tag = (text, cls) => el('span', { class: 'tag ' + (cls || '') }, text);
  const list = ids => (ids || []).join(', ');
  const cell = (v, cls) => el('td', { class: cls }, v);
  const numCell = v => el('td', { class: 'num' }, v);
  function table(id, headers, rows) {
    return el('table', { id },
      el('thead', {}, el('tr', {}, headers.map(h => h.startsWith('#') ? el('th', { class: 'num' }, h.slice(1)) : el('th', {}, h)))),
      el('tbody', {}, rows));
  }
  function card(label, value, id, cls) {
    return el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value ' + (cls || ''), id }, value));
  }
  const countClass = n => n > 0 ? 'bad' : 'ok';
  const unavailable = reasons => (reasons && reasons.length)
    ? el('div', { class: 'warn' }, 'incomplete: ', reasons.join('; ')) : null;

  async function getJson(path, query) {
    const q = query ? '?' + new URLSearchParams(query) : '';
    const response = await fetch(path + q, { cache: 'no-store', headers: { accept: 'application/json' } });
    let body;
    try { body = await response.json(); } catch (e) { body = { error: response.status + ' ' + response.statusText }; }
    if (!response.ok) throw new Error(body.error || String(response.status));
    return body;
  }

  // One section of the page, kept between refreshes: its controls stay put, its content is replaced.
  function section(id, title, controls) {
    let s = document.getElementById(id);
    if (!s) {
      s = el('section', { id: id + '-section' }, el('h2', {}, title), controls || null, el('div', { id }));
      main.append(s);
    }
    return document.getElementById(id);
  }
  function fill(target, ...content) { target.replaceChildren(...content.flat().filter(c => c !== null && c !== undefined)); }
  // A section is rebuilt only when its data changed, so that a selection or a hovered link survives a refresh.
  const shownData = new Map();
  function fillIfChanged(target, data, render) {
    const key = JSON.stringify(data);
    if (shownData.get(target.id) === key) return;
    shownData.set(target.id, key);
    fill(target, render(data));
  }
  function fillError(target, e) {
    shownData.delete(target.id);
    fill(target, el('div', { class: 'error' }, String(e.message || e)));
  }
  async function show(id, title, load, render, controls) {
    const target = section(id, title, controls);
    try {
      fillIfChanged(target, await load(), render);
    } catch (e) {
      fillError(target, e);
    }
  }

  // Paging state lives in the URL so that a reload keeps it.
  function state(name, otherwise) { return params.get(name) || otherwise; }
  function setState(name, value) {
    if (value === '' || value === null || value === 0 || value === '0') params.delete(name); else params.set(name, value);
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
    refreshNow();
  }
  function pager(page, offsetParam) {
    const from = page.total === 0 ? 0 : page.offset + 1;
    const to = Math.min(page.offset + page.limit, page.total);
    return el('div', { class: 'controls' },
      el('span', { class: 'muted' }, num(from) + DASH + num(to) + ' of ' + num(page.total)),
      el('button', { type: 'button', disabled: page.offset <= 0, onclick: () => setState(offsetParam, Math.max(0, page.offset - page.limit)) }, '\u2039 previous'),
      el('button', { type: 'button', disabled: to >= page.total, onclick: () => setState(offsetParam, page.offset + page.limit) }, 'next \u203a'));
  }
  function filterBox(param, offsetParam, placeholder) {
    const input = el('input', { type: 'search', placeholder, value: state(param, '') });
    let debounce = null;
    input.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => { params.delete(offsetParam); setState(param, input.value.trim()); }, 300);
    });
    return el('div', { class: 'controls' }, input);
  }

  // ---------------------------------------------------------------- overview: cluster, brokers, topics, groups, latency
  function renderCluster(c) {
    document.title = 'Strand ' + c.clusterId;
    return el('div', { class: 'cards' },
      card('cluster id', c.clusterId || DASH, 'cluster-id'),
      card('controller', c.controllerId < 0 ? 'none' : 'broker ' + c.controllerId + ' (epoch ' + c.controllerEpoch + ')', 'controller', c.controllerId < 0 ? 'bad' : ''),
      card('this broker', 'broker ' + c.thisBroker, 'this-broker'),
      card('ZooKeeper session', c.zookeeperSession, 'zookeeper-session', c.zookeeperSession === 'CONNECTED' ? 'ok' : 'bad'),
      card('live brokers', c.brokers.filter(b => b.live).length + ' of ' + c.brokers.length, 'live-brokers', c.brokers.some(b => !b.live) ? 'bad' : 'ok'),
      card('topics / partitions', num(c.topics) + ' / ' + num(c.partitions), 'topic-count'),
      card('offline partitions', num(c.offlinePartitions), 'offline-count', countClass(c.offlinePartitions)),
      card('under-replicated', num(c.underReplicatedPartitions), 'under-replicated-count', countClass(c.underReplicatedPartitions)),
      card('under min ISR', num(c.underMinIsrPartitions), 'under-min-isr-count', countClass(c.underMinIsrPartitions)));
  }
  function disk(b) {
    if (b.diskError && (!b.logDirs || b.logDirs.length === 0)) return el('span', { class: 'muted' }, b.diskError);
    return el('table', { class: 'inner' }, (b.logDirs || []).map(d => el('tr', {},
      el('td', {}, d.path),
      el('td', { class: 'num' }, bytes(d.usableBytes) + ' free of ' + bytes(d.totalBytes)),
      el('td', { class: d.status === 'ONLINE' ? 'ok' : 'bad' }, d.status, d.reason ? ' (' + d.reason + ')' : ''))));
  }
  function renderBrokers(c) {
    return table('brokers-table', ['broker', 'state', 'rack', 'listeners', 'status page', 'log directories'],
      c.brokers.map(b => el('tr', { 'data-broker': b.id },
        cell(el('span', {}, String(b.id), b.self ? tag('this') : null, b.controller ? tag('controller') : null)),
        cell(b.live ? 'live' : 'offline', b.live ? 'ok' : 'bad'),
        cell(b.rack || DASH),
        cell(list(b.listeners) || DASH),
        cell(/^http:\/\/[^\s]+$/.test(b.http || '') ? el('a', { href: b.http + '/' }, b.http) : DASH),
        cell(disk(b)))));
  }
  function renderTopics(p) {
    return [pager(p, 'toffset'), unavailable(p.unavailable),
      table('topics-table', ['topic', '#partitions', '#RF', '#under-replicated', '#under min ISR', '#offline', '#size (leaders)', '#messages in'],
        p.topics.map(t => el('tr', { 'data-topic': t.name },
          cell(el('span', {}, topicLink(t.name), t.internal ? tag('internal', 'muted') : null, t.deleting ? tag('deleting', 'warn') : null)),
          numCell(num(t.partitions)),
          numCell(num(t.replicationFactor)),
          el('td', { class: 'num ' + (t.underReplicated ? 'bad' : '') }, num(t.underReplicated)),
          el('td', { class: 'num ' + (t.underMinIsr ? 'bad' : '') }, num(t.underMinIsr)),
          el('td', { class: 'num ' + (t.offline ? 'bad' : '') }, num(t.offline)),
          numCell(bytes(t.sizeBytes)),
          numCell(rate(t.messagesInPerSec)))))];
  }
  function renderGroups(p) {
    return [pager(p, 'goffset'), unavailable(p.unavailable),
      table('groups-table', ['group', 'type', 'protocol type', 'state', 'coordinator'],
        p.groups.map(g => el('tr', { 'data-group': g.groupId },
          cell(groupLink(g.groupId)), cell(g.type), cell(g.protocolType || DASH), cell(g.state), cell('broker ' + g.coordinator))))];
  }
  function renderLatency(l) {
    return [unavailable(l.unavailable),
      el('p', { class: 'muted' }, 'p99 in ms per broker, over about the last five minutes (a decaying sample, as Kafka\u2019s); p50 and the requests since the broker started in the cell\u2019s tooltip.'),
      table('latency-table', ['request'].concat(l.brokers.map(b => '#broker ' + b)),
        l.requests.map(r => el('tr', { 'data-request': r.request },
          cell(r.request),
          r.perBroker.map(x => el('td', { class: 'num', title: x ? 'p50 ' + ms(x.p50Ms) + ' ms, ' + num(x.count) + ' requests (' + x.source + ')' : '' }, x ? ms(x.p99Ms) : DASH)))))];
  }
  async function overview() {
    section('cluster', 'Cluster'); // the sections in page order, before any answer arrives
    section('brokers', 'Brokers');
    await Promise.all([
      getJson('/api/cluster').then(c => {
        fillIfChanged(section('cluster', 'Cluster'), c, renderCluster);
        fillIfChanged(section('brokers', 'Brokers'), c, renderBrokers);
      }).catch(e => fillError(section('cluster', 'Cluster'), e)),
      show('topics', 'Topics', () => getJson('/api/topics', { offset: state('toffset', 0), filter: state('tfilter', '') }), renderTopics,
        filterBox('tfilter', 'toffset', 'filter topics')),
      show('groups', 'Groups', () => getJson('/api/groups', { offset: state('goffset', 0), filter: state('gfilter', '') }), renderGroups,
        filterBox('gfilter', 'goffset', 'filter groups')),
      show('latency', 'Request latency', () => getJson('/api/latency'), renderLatency),
    ]);
  }

  // ---------------------------------------------------------------- one topic's partitions
  function replicaStates(p) {
    return el('table', { class: 'inner' },
      el('tr', {}, ['broker', '', '#log start', '#high watermark', '#log end', '#size'].map(h => h.startsWith('#') ? el('th', { class: 'num' }, h.slice(1)) : el('th', {}, h))),
      p.replicaStates.map(r => {
        const o = r.offsets;
        return el('tr', { 'data-replica': r.broker },
          el('td', {}, String(r.broker)),
          el('td', {}, r.broker === p.leader ? tag('leader') : null, r.inSync ? tag('in sync', 'ok') : tag('out of sync', 'bad'), r.live ? null : tag('offline', 'bad')),
          o ? [numCell(num(o.logStartOffset)), numCell(num(o.highWatermark)), numCell(num(o.logEndOffset)), numCell(bytes(o.sizeBytes))]
            : el('td', { class: 'muted', colspan: 4 }, r.error || DASH),
          o && o.error ? el('td', { class: 'error' }, o.error) : null);
      }));
  }
  function renderTopic(t) {
    document.title = t.name + ' \u00b7 Strand';
    const configs = Object.entries(t.configs || {});
    return [
      el('div', { class: 'cards' },
        card('topic', t.name, 'topic-name'),
        card('topic id', t.topicId || DASH),
        card('partitions', num(t.partitions)),
        card('replication factor', num(t.replicationFactor)),
        card('min.insync.replicas', num(t.minInsyncReplicas)),
        t.deleting ? card('state', 'being deleted', null, 'warn') : null),
      configs.length ? el('p', {}, 'config overrides: ', configs.map(([k, v]) => k + '=' + v).join(', ')) : null,
      pager({ total: t.partitions, offset: t.offset, limit: t.limit }, 'offset'),
      table('partitions-table', ['partition', 'leader', '#leader epoch', 'replicas', 'ISR', 'health', 'replicas: offsets as each broker reports them', ''],
        t.rows.map(p => el('tr', { 'data-partition': p.partition },
          cell(String(p.partition)),
          cell(p.leader < 0 ? 'none' : String(p.leader), p.offline ? 'bad' : ''),
          numCell(num(p.leaderEpoch)),
          cell(list(p.replicas)),
          cell(list(p.isr)),
          cell([p.offline ? tag('offline', 'bad') : null, p.underReplicated ? tag('under-replicated', 'bad') : null,
            p.underMinIsr ? tag('under min ISR', 'bad') : null, !p.offline && !p.underReplicated ? tag('ok', 'ok') : null]),
          cell(replicaStates(p)),
          cell(peekLink(t.name, p.partition, 'last records'))))),
    ];
  }
  async function topic() {
    const name = params.get('name') || '';
    crumbs(topicLink(name));
    await show('partitions', 'Partitions', () => getJson('/api/topic', { name, offset: state('offset', 0) }), renderTopic);
  }

  // ---------------------------------------------------------------- the last records of a partition
  function shown(s) {
    if (none(s)) return el('span', { class: 'null' }, 'null');
    const more = s.truncated ? el('span', { class: 'muted' }, ' \u2026 (' + num(s.size) + ' bytes)') : null;
    return none(s.text) ? el('span', { class: 'hex', title: 'hex' }, s.hex, more) : el('span', { class: 'text' }, s.text, more);
  }
  function renderPeek(p) {
    document.title = p.topic + '-' + p.partition + ' \u00b7 Strand';
    const n = state('n', '20');
    const choose = el('select', { onchange: e => setState('n', e.target.value) },
      ['10', '20', '50', '100'].map(v => el('option', { value: v, selected: v === n }, v)));
    return [
      el('div', { class: 'cards' },
        card('partition', p.topic + '-' + p.partition, 'peek-partition'),
        card('read from', 'broker ' + p.brokerId + (p.leader ? ' (leader)' : ' (follower)')),
        card('log start offset', num(p.logStartOffset)),
        card('high watermark', num(p.highWatermark))),
      el('div', { class: 'controls' }, el('label', {}, 'last ', choose, ' records below the high watermark')),
      p.records.length === 0 ? el('p', { class: 'muted', id: 'no-records' }, 'no records') : null,
      table('records-table', ['#offset', 'timestamp', 'key', 'headers', 'value'],
        p.records.slice().reverse().map(r => el('tr', { 'data-offset': r.offset },
          numCell(num(r.offset)),
          cell([r.timestamp >= 0 ? new Date(r.timestamp).toISOString() : String(r.timestamp), el('div', { class: 'muted' }, r.timestampType, r.transactional ? ' \u00b7 transactional' : '')]),
          cell(shown(r.key), 'record-key'),
          cell((r.headers || []).map(h => el('div', {}, el('span', { class: 'text' }, h.key), ': ', shown(h.value))), 'record-headers'),
          cell(shown(r.value), 'record-value')))),
    ];
  }
  async function peek() {
    const topicName = params.get('topic') || '';
    const partition = params.get('partition') || '0';
    crumbs(topicLink(topicName), ' / partition ' + partition);
    await show('records', 'Last records', () => getJson('/api/peek', { topic: topicName, partition, n: state('n', 20) }), renderPeek);
  }

  // ---------------------------------------------------------------- one group
  function renderGroup(p) {
    const g = p.group;
    document.title = g.groupId + ' \u00b7 Strand';
    return [
      el('div', { class: 'cards' },
        card('group', g.groupId, 'group-id'),
        card('type', g.type),
        card('state', g.state, 'group-state'),
        card('protocol type', g.protocolType || DASH),
        card('coordinator', 'broker ' + g.coordinator),
        card('members', num(g.membersTotal), 'group-members'),
        card('lag (this page)', num(p.pageLag), 'group-lag', p.pageLag > 0 ? 'warn' : '')),
      el('h2', {}, 'Members'),
      table('members-table', ['member id', 'instance id', 'client id', 'host', 'assigned partitions'],
        g.members.map(m => el('tr', {}, cell(m.memberId), cell(m.instanceId || DASH), cell(m.clientId), cell(m.clientHost), cell(list(m.assignment) || DASH)))),
      el('h2', {}, 'Committed offsets'),
      pager({ total: p.offsetsTotal, offset: p.offset, limit: p.limit }, 'offset'),
      table('offsets-table', ['topic', '#partition', '#committed', '#high watermark', '#lag', ''],
        p.offsets.map(o => el('tr', {},
          cell(topicLink(o.topic)), numCell(String(o.partition)), numCell(num(o.committed)), numCell(num(o.highWatermark)),
          el('td', { class: 'num ' + (o.lag > 0 ? 'warn' : '') }, num(o.lag)), cell(o.error || '', 'muted')))),
    ];
  }
  async function group() {
    const id = params.get('id') || '';
    crumbs('group ', groupLink(id));
    await show('group', 'Group', () => getJson('/api/group', { id, offset: state('offset', 0) }), renderGroup);
  }

  // ---------------------------------------------------------------- frame and refresh
  function crumbs(...parts) {
    const c = document.getElementById('crumbs');
    if (c.childNodes.length === 0) c.append(...parts.map(x => x instanceof Node ? x : document.createTextNode(String(x))));
  }
  const views = {
    overview, topic, peek, group,
    missing: async () => { fill(section('missing', 'Not found'), el('p', {}, 'No such page. ', el('a', { href: '/' }, 'Back to the cluster.'))); },
  };
  async function refresh() {
    clearTimeout(timer);
    const started = new Date();
    await (views[view] || views.missing)();
    fill(refreshLine, 'broker ' + document.body.dataset.broker + ' \u00b7 updated ' + started.toLocaleTimeString() + ' \u00b7 ',
      el('label', {}, el('input', { type: 'checkbox', id: 'pause', checked: paused, onchange: e => { paused = e.target.checked; refreshNow(); } }),
        ' pause refresh (every ' + REFRESH_MS / 1000 + ' s)'));
    document.body.dataset.refreshed = String(started.getTime());
    if (!paused) timer = setTimeout(refresh, REFRESH_MS);
  }
  function refreshNow() { clearTimeout(timer); refresh(); }
  refresh();
})();
