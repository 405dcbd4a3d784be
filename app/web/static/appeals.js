/* Operations' appeals console: open / overdue / claimed-by-me appeals sorted by due time (Beijing time,
   overdue marked), refreshed every 15 seconds; an appeal's detail (appellant, reason, demand, attachments,
   the order's facts and its diagram with the nodes where it froze), claim, and resolve with outcome, note
   and refund amount. "Claimed by me" needs the caller's name, which no endpoint gives: the page learns it
   from the appeal this browser claims (remembered in localStorage) or asks for it. */
(function () {
  'use strict';

  const {start, request, problemText, el, download} = window.Session;
  const {t, define, beijing} = window.I18n;
  const $ = (id) => document.getElementById(id);
  const NAME_KEY = 'fulfilment.ops-name';
  const viewer = new window.BpmnJS({container: '#canvas', textRenderer: window.I18n.textRenderer});
  window.viewer = viewer;
  define({
    en: {appeals_title: 'Appeals', filter_open: 'open', filter_overdue: 'overdue', filter_mine: 'claimed by me',
         my_name: 'your name', due: 'Due', order: 'Order', appellant: 'Appellant', reason: 'Reason',
         claimed_by: 'Claimed by', no_appeals: 'No appeals.', appeal: 'Appeal', attachments: 'Attachments',
         order_facts: 'Order', frozen_at: 'Where it froze', claim: 'Claim', resolve: 'Resolve', outcome: 'Outcome',
         note: 'Note', refund_amount: 'Refund amount', demand: 'Demand', opened: 'Opened', status: 'Status',
         overdue: 'overdue', updated: 'updated {time}', claimed: 'Claimed by {name}.', resolved: 'Resolved: {outcome}.',
         resume: 'resume at the frozen node', return_to_seller: 'return to the seller', force_accept: 'force acceptance',
         close_with_refund: 'close with a refund', deny_refund: 'deny the refund', seller: 'Seller', buyer: 'Buyer',
         paid: 'Paid', delivery_type: 'Delivery type', nodes: 'Frozen nodes', download: 'download'},
    zh: {appeals_title: '申诉处理', filter_open: '未结', filter_overdue: '已超时', filter_mine: '我认领的',
         my_name: '您的用户名', due: '处理时限', order: '订单', appellant: '申诉人', reason: '申诉原因',
         claimed_by: '认领人', no_appeals: '暂无申诉。', appeal: '申诉', attachments: '附件', order_facts: '订单信息',
         frozen_at: '冻结节点', claim: '认领', resolve: '处理', outcome: '处理结果', note: '处理说明',
         refund_amount: '退款金额', demand: '诉求', opened: '提出时间', status: '状态', overdue: '已超时',
         updated: '更新于 {time}', claimed: '已由 {name} 认领。', resolved: '已处理：{outcome}。',
         resume: '恢复到冻结节点', return_to_seller: '退回商家', force_accept: '强制验收', close_with_refund: '退款并关闭',
         deny_refund: '驳回退款', seller: '商家', buyer: '买家', paid: '实付金额', delivery_type: '交付类型',
         nodes: '冻结节点', download: '下载'},
  });
  let appeals = [];
  let selected = null;
  let shownOrder = null;

  const filter = () => document.querySelector('input[name="filter"]:checked').value;
  const myName = () => localStorage.getItem(NAME_KEY) || '';

  async function load() {
    const mine = filter() === 'mine';
    $('my-name').hidden = !mine || Boolean(myName());
    if (mine && !myName()) return render([]);
    const query = {open: 'status=open', overdue: 'status=open&overdue=true',
                   mine: 'status=open&claimed_by=' + encodeURIComponent(myName())}[filter()];
    const result = await request('/appeals?page_size=100&' + query);
    $('list-error').textContent = result.ok ? '' : problemText(result);
    render(result.ok ? result.body : []);
    $('updated').textContent = t('updated', {time: beijing(new Date().toISOString())});
    if (selected) {
      const fresh = appeals.find((a) => a.id === selected.id);
      if (fresh) showFacts(fresh);
    }
  }

  function render(list) {
    appeals = [...list].sort((a, b) => a.due_at.localeCompare(b.due_at));
    $('appeals').tBodies[0].replaceChildren(...appeals.map((appeal) => {
      const row = el('tr', {'data-appeal-id': appeal.id, class: [appeal.overdue ? 'late' : '',
                                                                 selected && selected.id === appeal.id ? 'selected' : ''].join(' ')},
        el('td', {}, beijing(appeal.due_at), appeal.overdue ? el('span', {class: 'badge late'}, t('overdue')) : null),
        el('td', {}, appeal.order.order_no), el('td', {}, appeal.appellant.name + ` (${appeal.appellant.role})`),
        el('td', {}, appeal.reason), el('td', {}, appeal.claimed_by || '—'));
      row.addEventListener('click', () => select(appeal));
      return row;
    }));
    $('empty').hidden = appeals.length > 0;
  }

  const facts = (target, entries) => $(target).replaceChildren(...entries.flatMap(([name, value]) => [
    el('dt', {}, t(name)), el('dd', {'data-fact': name}, String(value ?? '—'))]));

  function showFacts(appeal) {
    selected = appeal;
    $('appeal-id').textContent = appeal.id;
    facts('appeal-facts', [['appellant', `${appeal.appellant.name} (${appeal.appellant.role})`], ['reason', appeal.reason],
                           ['demand', appeal.demand], ['opened', beijing(appeal.opened_at)],
                           ['due', beijing(appeal.due_at) + (appeal.overdue ? ' · ' + t('overdue') : '')],
                           ['claimed_by', appeal.claimed_by], ['status', appeal.status],
                           ['nodes', (appeal.frozen_nodes || []).join(', ')]]);
    $('appeal-attachments').replaceChildren(...(appeal.attachments || []).map((id) => {
      const button = el('button', {type: 'button', class: 'link', 'data-attachment-id': id}, `${t('download')} ${id}`);
      button.addEventListener('click', () => download(id));
      return el('li', {}, button);
    }));
    $('claim').hidden = Boolean(appeal.claimed_by);
    const outcomes = appeal.refund_id ? ['close_with_refund', 'deny_refund']
                                      : ['resume', 'return_to_seller', 'force_accept', 'close_with_refund'];
    const shown = outcomes.join() + I18n.language;
    if ($('outcome').dataset.shown !== shown) {  // rebuilt only when they change: a refresh keeps the choice
      const chosen = $('outcome').value;
      $('outcome').replaceChildren(...outcomes.map((o) => el('option', {value: o}, t(o))));
      $('outcome').dataset.shown = shown;
      if (outcomes.includes(chosen)) $('outcome').value = chosen;
    }
    $('refund-field').hidden = $('outcome').value !== 'close_with_refund';
  }

  async function select(appeal) {
    showFacts(appeal);
    $('detail').hidden = false;
    $('detail-result').textContent = '';
    render(appeals);
    const path = '/orders/' + encodeURIComponent(appeal.order.id);
    const [order, diagram] = await Promise.all([request(path), request(path + '/diagram')]);
    $('order-error').textContent = order.ok ? '' : problemText(order);
    shownOrder = order.ok ? order.body : null;
    showOrder();
    if (diagram.ok) await drawFrozen(diagram.body, appeal.frozen_nodes || []);
  }

  function showOrder() {
    const o = shownOrder;
    if (!o) return $('order-facts').replaceChildren();
    facts('order-facts', [['order', o.order_no], ['status', o.status], ['delivery_type', o.delivery_type],
                          ['buyer', o.buyer], ['seller', o.seller], ['paid', o.amount_paid]]);
  }

  async function drawFrozen(diagram, frozen) {
    await viewer.importXML(diagram.xml);
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    diagram.completed.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, 'completed-node'));
    [...frozen, ...diagram.active].filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, 'active-node'));
    canvas.zoom('fit-viewport');
  }

  async function claim() {
    const result = await request(`/appeals/${encodeURIComponent(selected.id)}/claim`, {method: 'POST'});
    if (!result.ok) return ($('detail-result').textContent = problemText(result));
    localStorage.setItem(NAME_KEY, result.body.claimed_by);  // now "claimed by me" knows who I am
    showFacts(result.body);
    $('detail-result').textContent = t('claimed', {name: result.body.claimed_by});
    await load();
  }

  async function resolve(event) {
    event.preventDefault();
    document.querySelectorAll('#resolve [data-error-for]').forEach((slot) => { slot.textContent = ''; });
    const body = {outcome: $('outcome').value, note: $('note').value.trim()};
    if (body.outcome === 'close_with_refund') body.refund_amount = $('refund-amount').value.trim();
    const result = await request(`/appeals/${encodeURIComponent(selected.id)}/resolve`, {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    if (!result.ok) {
      for (const [name, messages] of Object.entries((result.body && result.body.errors) || {})) {
        const slot = document.querySelector(`#resolve [data-error-for="${CSS.escape(name)}"]`);
        if (slot) slot.textContent = [].concat(messages).join(' ');
      }
      return ($('detail-result').textContent = problemText(result));
    }
    showFacts(result.body);
    $('detail-result').textContent = t('resolved', {outcome: t(result.body.resolution.outcome)});
    await load();
  }

  document.querySelectorAll('input[name="filter"]').forEach((radio) => radio.addEventListener('change', load));
  $('my-name').addEventListener('change', () => { localStorage.setItem(NAME_KEY, $('my-name').value.trim()); load(); });
  $('outcome').addEventListener('change', () => { $('refund-field').hidden = $('outcome').value !== 'close_with_refund'; });
  $('refresh').addEventListener('click', load);
  $('claim').addEventListener('click', claim);
  $('resolve').addEventListener('submit', resolve);
  I18n.onChange(() => { render(appeals); showOrder(); if (selected) showFacts(selected); });
  start(() => {
    load();
    setInterval(() => { if (!document.hidden) load(); }, 15000);
  });
})();
