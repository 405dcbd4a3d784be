/* The parts of an order's page that act or follow up: the caller's actions as buttons (each opening the
   form built from the action's schema, found on the caller's GET /tasks row of that task), the appeal
   (its state, or a form to open one), the order's refunds (GET /refunds?order_id=) and its renewals. */
(function () {
  'use strict';

  const {request, problemText, el} = window.Session;
  const {t, define, beijing} = window.I18n;
  const $ = (id) => document.getElementById(id);
  define({
    en: {appeal: 'Appeal', refunds: 'Refunds', renewals: 'Renewals', appeal_open: 'Appeal {id} is open: the order is frozen until operations resolve it.',
         appeal_resolved: 'Last appeal resolved: {outcome}.', no_appeal: 'No appeal.', open_appeal: 'Open an appeal',
         demand: 'Demand', appeal_opened: 'Appeal opened.', no_refunds: 'No refunds.', effective: 'effective',
         pending: 'not yet effective', acted: '{action} done.'},
    zh: {appeal: '申诉', refunds: '退款', renewals: '续费', appeal_open: '申诉 {id} 处理中：订单已冻结，等待运营处理。',
         appeal_resolved: '上次申诉已处理：{outcome}。', no_appeal: '无申诉。', open_appeal: '发起申诉',
         demand: '诉求', appeal_opened: '已发起申诉。', no_refunds: '无退款。', effective: '已生效',
         pending: '未生效', acted: '已完成：{action}。'},
  });
  const APPEAL_FORM = {type: 'object', required: ['reason', 'demand'],
                       properties: {reason: {type: 'string'}, demand: {type: 'string'},
                                    attachments: {type: 'array', minItems: 0, items: {type: 'string'}}}};
  let appealForm = null;  // kept across refreshes so a half-written appeal survives them

  async function taskRow(taskId) {
    const result = await request('/tasks?page_size=100');
    return (result.ok && result.body.find((task) => task.id === taskId)) || {id: taskId, action_forms: {}};
  }

  function renderActions(order, ctx) {
    const form = $('order-act').querySelector('form.action-form');
    if (form && !(order.available_actions || []).some((a) => a.action === form.dataset.action)) {
      $('order-act').replaceChildren();  // that action is no longer offered (frozen, done by someone else)
    }
    $('my-actions').replaceChildren(...(order.available_actions || []).map(({action, task_id: taskId}) => {
      const button = el('button', {type: 'button', class: 'act-button', 'data-action': action}, t('action_' + action));
      button.addEventListener('click', async () => {
        window.Forms.open($('order-act'), await taskRow(taskId), action, async () => {
          $('act-result').textContent = t('acted', {action: t('action_' + action)});
          await ctx.reload();
        });
      });
      return button;
    }));
  }

  function renderAppeal(order, ctx) {
    const resolved = [...ctx.events].reverse().find((e) => e.type === 'appeal_resolved');
    if (order.frozen || order.open_appeal) {
      appealForm = null;
      return $('appeal-panel').replaceChildren(el('p', {class: 'appeal-state open'}, t('appeal_open', {id: order.open_appeal || ''})));
    }
    const state = el('p', {class: 'appeal-state'}, resolved
      ? t('appeal_resolved', {outcome: (resolved.data && resolved.data.outcome) || ''}) : t('no_appeal'));
    if (order.status !== 'processing') return $('appeal-panel').replaceChildren(state);
    if (!appealForm) appealForm = buildAppealForm(order, ctx);
    $('appeal-panel').replaceChildren(state, appealForm);
  }

  function buildAppealForm(order, ctx) {
    const built = window.Forms.build(APPEAL_FORM, 'appeal-');
    const general = el('p', {class: 'error', 'data-error-for': '_general', role: 'alert'});
    const form = el('form', {id: 'appeal-form', class: 'action-form', novalidate: true},
                    el('h3', {}, t('open_appeal')), ...built.nodes, general,
                    el('div', {class: 'buttons'}, el('button', {type: 'submit', class: 'primary'}, t('open_appeal'))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      form.querySelectorAll('[data-error-for]').forEach((slot) => { slot.textContent = ''; });
      const missing = built.missing();
      if (missing.length) return window.Forms.showErrors(form, Object.fromEntries(missing.map((n) => [n, [t('required')]])));
      const {data, attachments} = built.collect();
      const result = await request(ctx.orderPath + '/appeals', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                              body: JSON.stringify({...data, attachments})});
      if (!result.ok) {
        if (result.body && result.body.errors) window.Forms.showErrors(form, result.body.errors);
        general.textContent = problemText(result);
        return;
      }
      appealForm = null;
      $('act-result').textContent = t('appeal_opened');
      await ctx.reload();
    });
    return form;
  }

  async function renderRefunds(order) {
    const result = await request('/refunds?page_size=100&order_id=' + encodeURIComponent(order.id));
    const refunds = result.ok ? result.body : [];
    $('refunds').replaceChildren(...(refunds.length ? refunds.map((refund) => el('li', {'data-refund-id': refund.id},
      `${refund.kind} · ${refund.amount} · `, el('strong', {}, I18n.language === 'zh' && refund.status_zh ? refund.status_zh : refund.status),
      el('small', {}, ' ' + beijing(refund.created_at))))
      : [el('li', {class: 'empty'}, result.ok ? t('no_refunds') : problemText(result))]));
  }

  function renderRenewals(order) {
    const renewals = Array.isArray(order.renewals) ? order.renewals : [];
    $('renewals-panel').hidden = !renewals.length;
    $('renewals').replaceChildren(...renewals.map((r) => el('li', {'data-renewal-id': r.id},
      `${r.renewal_no || r.id} · ${r.period || ''} · ${r.amount_paid || ''} · ${beijing(r.start)} → ${beijing(r.end)} · `,
      r.effective ? t('effective') : t('pending'))));
  }

  window.OrderPanels = {
    render(order, ctx) {
      renderActions(order, ctx);
      renderAppeal(order, ctx);
      renderRenewals(order);
      return renderRefunds(order);
    },
  };
})();
