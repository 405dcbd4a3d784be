/* An order's page: its diagram read-only (bpmn-js NavigatedViewer) with completed nodes marked and
   active nodes highlighted, the order's facts and nodes, the caller's actions, appeal, refunds and
   renewals (order-panels.js), and its history with attachment downloads. Each part loads on its own, so a
   role that may see the diagram but not the order (an analyst) still gets the diagram; an order the caller
   may not see at all (404) says so instead of waiting for a diagram. */
(function () {
  'use strict';

  const {start, request, problemText, el, download} = window.Session;
  const {t, define} = window.I18n;
  const $ = (id) => document.getElementById(id);
  const orderId = $('order').dataset.orderId;
  const orderPath = '/orders/' + encodeURIComponent(orderId);
  const viewer = new window.BpmnJS({container: '#canvas', textRenderer: window.I18n.textRenderer});
  window.viewer = viewer;  // for the browser console and the browser tests
  define({
    en: {order_title: 'Order', not_found_title: 'Order not found', where_it_stands: 'Where it stands',
         not_found_text: 'There is no order with this id that you may see.', history: 'History',
         loading_diagram: 'Loading diagram…', no_diagram: 'No diagram', completed: 'completed', active: 'active',
         at: 'at', actor: 'actor', event: 'event', node: 'node', action: 'action', data: 'data', since: 'since',
         attachments: 'attachments', status: 'Status', order_no: 'Order no.', delivery_type: 'Delivery type',
         buyer: 'Buyer', seller: 'Seller', process: 'Process', frozen: 'Frozen', rejections: 'Rejections',
         created: 'Created', completed_at: 'Completed', yes_appeal: 'yes, appeal open', no: 'no',
         system: 'system', diagram_label: 'Diagram', order_label: 'Order', history_label: 'History'},
    zh: {order_title: '订单', not_found_title: '未找到订单', where_it_stands: '当前进度',
         not_found_text: '没有此编号的订单，或您无权查看。', history: '操作记录', loading_diagram: '正在加载流程图…',
         no_diagram: '无流程图', completed: '已完成', active: '进行中', at: '时间', actor: '操作人', event: '事件',
         node: '节点', action: '操作', data: '数据', since: '开始于', attachments: '附件', status: '状态',
         order_no: '订单号', delivery_type: '交付类型', buyer: '买家', seller: '商家', process: '流程',
         frozen: '冻结', rejections: '验收不通过次数', created: '创建时间', completed_at: '完成时间',
         yes_appeal: '是，申诉处理中', no: '否', system: '系统', diagram_label: '流程图', order_label: '订单',
         history_label: '操作记录'},
  });
  let order = null;
  let events = [];

  const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+/, '') : '—');

  function showNotFound() {
    $('order').hidden = true;
    $('not-found').hidden = false;
  }

  async function loadOrder() {
    const result = await request(orderPath);
    if (result.status === 404) return showNotFound();
    $('order-error').textContent = result.ok ? '' : t('order_label') + ': ' + problemText(result);
    order = result.ok ? result.body : null;
    renderOrder();
  }

  function renderOrder() {
    if (!order) return;
    const facts = {
      status: order.status, order_no: order.order_no, delivery_type: order.delivery_type,
      buyer: order.buyer, seller: order.seller,
      process: order.process ? `${order.process.key} v${order.process.version}` : '—',
      frozen: order.frozen ? t('yes_appeal') : t('no'), rejections: order.rejection_count,
      created: when(order.created_at), completed_at: when(order.completed_at),
    };
    $('facts').replaceChildren(...Object.entries(facts).flatMap(([name, value]) => [
      el('dt', {}, t(name)), el('dd', {'data-fact': name}, String(value ?? '—'))]));
    $('nodes').replaceChildren(...order.nodes.map((node) => el('li', {'data-node-id': node.id},
      el('code', {}, node.id), ' ', (I18n.language === 'zh' && node.name_zh) || node.name || '',
      node.role ? el('span', {class: 'badge'}, node.role) : null,
      node.since ? el('small', {}, ` ${t('since')} ` + when(node.since)) : null)));
    window.OrderPanels.render(order, {reload: loadAll, orderPath, events});
  }

  async function loadDiagram() {
    const result = await request(orderPath + '/diagram');
    $('diagram-error').textContent = result.ok ? '' : t('diagram_label') + ': ' + problemText(result);
    if (!result.ok) {
      $('diagram-title').textContent = t('no_diagram');
      return;
    }
    const {key, version, xml, active, completed} = result.body;
    try {
      await viewer.importXML(xml);
    } catch (error) {
      $('diagram-error').textContent = 'This diagram cannot be drawn: ' + error.message;
      return;
    }
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const mark = (ids, marker) => ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, marker));
    mark(completed, 'completed-node');
    mark(active, 'active-node');
    canvas.zoom('fit-viewport');
    $('diagram-title').removeAttribute('data-i18n');
    $('diagram-title').textContent = `${key} v${version}`;
  }

  function attachmentLinks(ids) {
    return (ids || []).map((id) => {
      const link = el('button', {type: 'button', class: 'link download', 'data-attachment-id': id}, id.slice(0, 8));
      link.addEventListener('click', () => download(id));
      return link;
    });
  }

  async function loadHistory() {
    const result = await request(orderPath + '/history');
    $('history-error').textContent = result.ok ? '' : t('history_label') + ': ' + problemText(result);
    events = result.ok ? result.body : [];
    $('history').tBodies[0].replaceChildren(...events.map((event) => el('tr', {'data-seq': event.seq},
      el('td', {}, String(event.seq)),
      el('td', {}, when(event.at)),
      el('td', {}, event.actor && event.actor.name ? `${event.actor.name} (${event.actor.role})` : t('system')),
      el('td', {}, event.type),
      el('td', {}, event.node || ''),
      el('td', {}, event.action || ''),
      el('td', {class: 'data'}, event.data && Object.keys(event.data).length ? JSON.stringify(event.data) : ''),
      el('td', {}, ...attachmentLinks(event.attachments)),
      el('td', {title: event.hash}, el('code', {}, (event.hash || '').slice(0, 12))))));
  }

  async function loadAll() {
    await Promise.all([loadHistory(), loadDiagram()]);
    await loadOrder();  // after the history: the appeal panel shows the latest appeal event
  }
  $('refresh').addEventListener('click', loadAll);
  I18n.onChange(renderOrder);
  start(loadAll);
})();
