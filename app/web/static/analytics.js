/* A process's analytics page: its current diagram (bpmn-js NavigatedViewer) with each node coloured by
   how many orders wait there and labelled with the median and p90 wait (GET /process-definitions/{key}/
   statistics, every version of the key), the overdue tasks per node, and the open appeals.
   Labels in English or Chinese, switched by a button and remembered in this browser (localStorage). */
(function () {
  'use strict';

  const {start, request, problemText, el} = window.Session;
  const $ = (id) => document.getElementById(id);
  const key = $('analytics').dataset.key;
  const base = '/process-definitions/' + encodeURIComponent(key);
  const viewer = new window.BpmnJS({container: '#canvas', textRenderer: window.I18n.textRenderer});
  window.viewer = viewer;  // for the browser console and the browser tests
  const LANGUAGE_KEY = 'fulfilment.language';
  const TEXT = {
    en: {legend: 'orders waiting: few → many', refresh: 'Refresh', switch: '中文', nodes: 'Nodes (all versions)',
         node: 'Node', name: 'Name', active: 'Waiting', completed: 'Completed', median: 'Median wait',
         p90: 'p90 wait', overdue: 'Overdue', overdue_tasks: 'Overdue tasks by node', appeals: 'Open appeals',
         order: 'Order', appellant: 'Appellant', reason: 'Reason', nodes_frozen: 'Frozen at', due: 'Due',
         claimed_by: 'Claimed by', none: 'None', waiting: 'waiting', not_drawn: 'not in the current version'},
    zh: {legend: '停留订单：少 → 多', refresh: '刷新', switch: 'English', nodes: '节点（所有版本）',
         node: '节点', name: '名称', active: '等待中', completed: '已完成', median: '等待中位数',
         p90: 'p90 等待', overdue: '已超时', overdue_tasks: '各节点超时任务', appeals: '未结申诉',
         order: '订单', appellant: '申诉人', reason: '原因', nodes_frozen: '冻结节点', due: '处理时限',
         claimed_by: '认领人', none: '无', waiting: '等待', not_drawn: '不在当前版本中'},
  };
  window.I18n.define(TEXT);  // the header's labels follow the same switch
  let language = localStorage.getItem(LANGUAGE_KEY) === 'zh' ? 'zh' : 'en';
  let labels = {};  // node id -> {en, zh}
  let rows = [];  // the statistics
  let appeals = [];
  const t = (name) => TEXT[language][name];

  /* 42 -> "42s", 5400 -> "1h 30m", 190000 -> "2d 4h". */
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const s = Math.round(seconds);
    const [d, h, m] = [Math.floor(s / 86400), Math.floor(s % 86400 / 3600), Math.floor(s % 3600 / 60)];
    if (d) return `${d}d ${h}h`;
    if (h) return `${h}h ${m}m`;
    return m ? `${m}m ${s % 60}s` : `${s}s`;
  }

  const nodeName = (id) => (labels[id] && (labels[id][language] || labels[id].en)) || id;
  const beijing = (iso) => new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString()
    .replace('T', ' ').slice(0, 16) + ' UTC+8';

  /* English names from the diagram, Chinese ones from each element's status_zh property. */
  function readLabels(xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    labels = {};
    for (const node of doc.querySelectorAll('[id]')) {
      const zh = [...node.getElementsByTagNameNS('*', 'property')].find((p) => p.getAttribute('name') === 'status_zh');
      labels[node.getAttribute('id')] = {en: node.getAttribute('name'), zh: zh ? zh.getAttribute('value') : null};
    }
  }

  async function loadDiagram() {
    const listing = await request('/process-definitions');
    const found = listing.ok ? listing.body.find((d) => d.key === key) : null;
    $('diagram-error').textContent = !listing.ok ? 'Diagram: ' + problemText(listing)
      : (found ? '' : `No process ${key} is deployed.`);
    if (!found) return false;
    const version = found.current_version || Math.max(...found.versions.map((v) => v.version));
    const result = await request(`${base}/versions/${version}`, {headers: {Accept: 'application/xml'}});
    if (!result.ok) { $('diagram-error').textContent = 'Diagram: ' + problemText(result); return false; }
    readLabels(result.body);
    await viewer.importXML(result.body);
    viewer.get('canvas').zoom('fit-viewport');
    $('diagram-title').textContent = `${key} v${version}`;
    return true;
  }

  function heat(active, most) {
    if (!active) return 0;
    const share = active / most;
    return share > 0.75 ? 4 : share > 0.5 ? 3 : share > 0.25 ? 2 : 1;
  }

  function paint() {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const overlays = viewer.get('overlays');
    overlays.remove({type: 'waiting'});
    const most = Math.max(1, ...rows.map((r) => r.active));
    for (const row of rows) {
      if (!registry.get(row.node)) continue;  // a node of an older version only: in the tables
      [1, 2, 3, 4].forEach((level) => canvas.removeMarker(row.node, 'heat-' + level));
      const level = heat(row.active, most);
      if (level) canvas.addMarker(row.node, 'heat-' + level);
      overlays.add(row.node, 'waiting', {position: {bottom: 18, left: -10}, html: el('div',
        {class: 'wait-overlay', 'data-node-id': row.node, 'data-active': row.active},
        `${row.active} ${t('waiting')} · p50 ${duration(row.median_wait_s)} · p90 ${duration(row.p90_wait_s)}`)});
    }
  }

  function renderTables() {
    const drawn = viewer.get('elementRegistry');
    $('statistics').tBodies[0].replaceChildren(...rows.map((row) => el('tr', {'data-node': row.node},
      el('td', {}, el('code', {}, row.node)),
      el('td', {}, nodeName(row.node), drawn.get(row.node) ? null : el('small', {}, ` (${t('not_drawn')})`)),
      el('td', {class: 'num'}, String(row.active)), el('td', {class: 'num'}, String(row.completed)),
      el('td', {class: 'num'}, duration(row.median_wait_s)), el('td', {class: 'num'}, duration(row.p90_wait_s)),
      el('td', {class: row.overdue ? 'num late' : 'num'}, String(row.overdue)))));
    const late = rows.filter((row) => row.overdue > 0).sort((a, b) => b.overdue - a.overdue);
    $('overdue').tBodies[0].replaceChildren(...(late.length ? late.map((row) => el('tr', {'data-node': row.node},
      el('td', {}, el('code', {}, row.node)), el('td', {}, nodeName(row.node)),
      el('td', {class: 'num late'}, String(row.overdue)), el('td', {class: 'num'}, String(row.active))))
      : [el('tr', {}, el('td', {colspan: 4}, t('none')))]));
    $('appeals').tBodies[0].replaceChildren(...(appeals.length ? appeals.map((appeal) => el('tr',
      {'data-appeal-id': appeal.id, class: appeal.overdue ? 'late' : null},
      el('td', {}, el('a', {href: '../orders/' + encodeURIComponent(appeal.order.id)}, appeal.order.order_no)),
      el('td', {}, `${appeal.appellant.name} (${appeal.appellant.role})`), el('td', {}, appeal.reason),
      el('td', {}, appeal.frozen_nodes.map(nodeName).join(', ')), el('td', {}, beijing(appeal.due_at)),
      el('td', {}, appeal.claimed_by || '—'))) : [el('tr', {}, el('td', {colspan: 6}, t('none')))]));
  }

  function translate() {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    window.I18n.apply();
    $('language').textContent = TEXT[language].switch;
    renderTables();
    if (viewer.get('elementRegistry').getAll().length) paint();
  }

  async function loadStatistics() {
    const result = await request(base + '/statistics');
    $('statistics-error').textContent = result.ok ? '' : 'Statistics: ' + problemText(result);
    rows = result.ok ? result.body : [];
  }

  async function loadAppeals() {
    const result = await request('/appeals?status=open&page_size=100');
    $('appeals-error').textContent = result.ok ? '' : 'Appeals: ' + problemText(result);
    appeals = result.ok ? result.body.sort((a, b) => a.due_at.localeCompare(b.due_at)) : [];
  }

  async function loadAll() {
    await Promise.all([loadDiagram().catch((error) => {
      $('diagram-error').textContent = 'This diagram cannot be drawn: ' + error.message;
    }), loadStatistics(), loadAppeals()]);
    translate();
    $('analytics').dataset.loaded = 'yes';
  }

  $('language').addEventListener('click', () => {
    language = language === 'zh' ? 'en' : 'zh';
    window.I18n.set(language);  // remembered (localStorage) and applied to the header too
    translate();
  });
  $('refresh').addEventListener('click', loadAll);
  start(loadAll);
})();
