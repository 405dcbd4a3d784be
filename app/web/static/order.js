/* An order's page: its diagram read-only (bpmn-js NavigatedViewer) with completed nodes marked and
   active nodes highlighted, the order's status and nodes, and its history. Each part loads on its own,
   so a role that may see the diagram but not the order (an analyst) still gets the diagram. */
(function () {
  'use strict';

  const {start, request, problemText, el} = window.Session;
  const $ = (id) => document.getElementById(id);
  const orderPath = '/orders/' + encodeURIComponent($('order').dataset.orderId);
  const viewer = new window.BpmnJS({container: '#canvas'});
  window.viewer = viewer;  // for the browser console and the browser tests

  const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+/, '') : '—');

  async function loadOrder() {
    const result = await request(orderPath);
    $('order-error').textContent = result.ok ? '' : 'Order: ' + problemText(result);
    if (!result.ok) return;
    const order = result.body;
    const facts = {
      'Status': order.status, 'Order no.': order.order_no, 'Delivery type': order.delivery_type,
      'Buyer': order.buyer, 'Seller': order.seller,
      'Process': order.process ? `${order.process.key} v${order.process.version}` : '—',
      'Frozen': order.frozen ? 'yes, appeal open' : 'no', 'Rejections': order.rejection_count,
      'Created': when(order.created_at), 'Completed': when(order.completed_at),
    };
    $('facts').replaceChildren(...Object.entries(facts).flatMap(([name, value]) => [
      el('dt', {}, name), el('dd', {'data-fact': name.toLowerCase()}, String(value ?? '—'))]));
    $('nodes').replaceChildren(...order.nodes.map((node) => el('li', {'data-node-id': node.id},
      el('code', {}, node.id), ' ', node.name || '', node.name_zh ? ` (${node.name_zh})` : '',
      node.role ? el('span', {class: 'badge'}, node.role) : null,
      node.since ? el('small', {}, ' since ' + when(node.since)) : null)));
  }

  async function loadDiagram() {
    const result = await request(orderPath + '/diagram');
    $('diagram-error').textContent = result.ok ? '' : 'Diagram: ' + problemText(result);
    if (!result.ok) return;
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
    $('diagram-title').textContent = `${key} v${version}`;
  }

  async function loadHistory() {
    const result = await request(orderPath + '/history');
    $('history-error').textContent = result.ok ? '' : 'History: ' + problemText(result);
    const events = result.ok ? result.body : [];
    $('history').tBodies[0].replaceChildren(...events.map((event) => el('tr', {'data-seq': event.seq},
      el('td', {}, String(event.seq)),
      el('td', {}, when(event.at)),
      el('td', {}, event.actor && event.actor.name ? `${event.actor.name} (${event.actor.role})` : 'system'),
      el('td', {}, event.type),
      el('td', {}, event.node || ''),
      el('td', {}, event.action || ''),
      el('td', {class: 'data'}, event.data && Object.keys(event.data).length ? JSON.stringify(event.data) : ''),
      el('td', {}, event.attachments && event.attachments.length ? String(event.attachments.length) : ''),
      el('td', {title: event.hash}, el('code', {}, (event.hash || '').slice(0, 12))))));
  }

  const loadAll = () => Promise.all([loadOrder(), loadDiagram(), loadHistory()]);
  $('refresh').addEventListener('click', loadAll);
  start(loadAll);
})();
