/* The caller's inbox (GET /tasks): ready tasks across orders, refunds and purchase applications, each
   linking to what it is about (whichever of order_id / refund_id / application_id is set); an action
   button opens the form built from the action's schema; after acting the list reloads, so the next task
   appears. The list refreshes itself every 20 seconds. */
(function () {
  'use strict';

  const {start, request, problemText, el} = window.Session;
  const {t, define, beijing} = window.I18n;
  const $ = (id) => document.getElementById(id);
  define({
    en: {inbox_title: 'My tasks', overdue_only: 'overdue only', task: 'Task', subject: 'For', due: 'Due',
         actions: 'Actions', no_tasks: 'Nothing to do.', overdue: 'overdue', order: 'Order', refund: 'Refund',
         application: 'Purchase application', done: '{action} done.'},
    zh: {inbox_title: '我的待办', overdue_only: '仅看超时', task: '任务', subject: '对象', due: '处理时限',
         actions: '操作', no_tasks: '暂无待办。', overdue: '已超时', order: '订单', refund: '退款',
         application: '采购申请', done: '已完成：{action}。'},
  });
  let tasks = [];

  /* What a task is about, as a link when there is a page for it. */
  function subject(task) {
    if (task.application_id) return el('span', {}, `${t('application')} ${task.application_id}`);
    const order = el('a', {href: `/web/orders/${encodeURIComponent(task.order_id)}`}, task.order_no || task.order_id);
    return task.refund_id ? el('span', {}, `${t('refund')} ${task.refund_id} · `, order)
                          : el('span', {}, `${t('order')} `, order);
  }

  function row(task) {
    const name = I18n.language === 'zh' && task.name_zh ? task.name_zh : task.name || task.node;
    const buttons = (task.actions || []).map((action) => {
      const button = el('button', {type: 'button', class: 'act-button', 'data-action': action}, t('action_' + action));
      button.addEventListener('click', () => act(task, action));
      return button;
    });
    return el('tr', {'data-task-id': task.id, 'data-node': task.node, class: task.overdue ? 'late' : null},
              el('td', {}, name, el('small', {}, ' ' + task.node)), el('td', {}, subject(task)),
              el('td', {}, beijing(task.due_at), task.overdue ? el('span', {class: 'badge late'}, t('overdue')) : null),
              el('td', {}, ...buttons));
  }

  function render() {
    $('tasks').tBodies[0].replaceChildren(...tasks.map(row));
    $('empty').hidden = tasks.length > 0;
  }

  async function load() {
    const query = $('overdue-only').checked ? '?overdue=true&page_size=100' : '?page_size=100';
    const result = await request('/tasks' + query);
    $('inbox-error').textContent = result.ok ? '' : problemText(result);
    tasks = result.ok ? result.body : [];
    render();
  }

  function act(task, action) {
    window.Forms.open($('act'), task, action, async () => {
      $('inbox-result').textContent = t('done', {action: t('action_' + action)});
      await load();
    });
  }

  $('refresh').addEventListener('click', load);
  $('overdue-only').addEventListener('change', load);
  I18n.onChange(render);
  start(() => {
    load();
    setInterval(() => { if (!document.hidden) load(); }, 20000);
  });
})();
