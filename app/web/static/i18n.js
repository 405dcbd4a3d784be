/* Chinese and English labels for the pages: I18n.define({en: {...}, zh: {...}}) adds a page's texts,
   I18n.t('name', {n: 3}) looks one up ("{n}" filled in), elements with data-i18n="name" are relabelled
   on every switch. The language is remembered in this browser (localStorage), the same on every page. */
(function () {
  'use strict';

  const KEY = 'fulfilment.language';
  const texts = {
    en: {switch: '中文', sign_in: 'Sign in', token: 'Token', sign_out: 'Sign out', refresh: 'Refresh',
         editor_link: 'Diagram editor', inbox_link: 'My tasks', appeals_link: 'Appeals', none: 'None'},
    zh: {switch: 'English', sign_in: '登录', token: '令牌', sign_out: '退出', refresh: '刷新',
         editor_link: '流程编辑器', inbox_link: '我的待办', appeals_link: '申诉处理', none: '无'},
  };
  const ACTIONS = {  // action -> [English, Chinese]
    submit_requirement: ['Submit requirement', '提交需求'], return_requirement: ['Return requirement', '退回需求'],
    deliver: ['Deliver', '交付'], ship: ['Ship', '发货'], deliver_license: ['Deliver licence', '交付License'],
    submit_id_code: ['Submit ID code', '提交识别码'], claim_authcode: ['Claim authcode', '领取授权码'],
    upload_proof: ['Upload proof', '上传交付证明'], confirm_deployment: ['Confirm deployment', '确认部署'],
    review_approve: ['Approve', '审核通过'], review_return: ['Return', '审核退回'], accept: ['Accept', '验收通过'],
    reject: ['Reject', '验收不通过'], approve_refund: ['Approve refund', '同意退款'], reject_refund: ['Reject refund', '拒绝退款'],
    withdraw_refund: ['Withdraw refund', '撤回退款'], submit_return: ['Submit return parcel', '提交退货物流'],
    pass_inspection: ['Pass inspection', '验货通过'], report_inspection_issue: ['Report inspection issue', '验货有问题'],
    approve: ['Approve', '批准'], upload_license_file: ['Upload licence file', '上传许可文件'],
    distribute_seats: ['Distribute seats', '分配席位'], seats_adjusted: ['Seats adjusted', '已调整席位'],
  };
  for (const [action, [en, zh]] of Object.entries(ACTIONS)) {
    texts.en['action_' + action] = en;
    texts.zh['action_' + action] = zh;
  }
  const listeners = [];
  let language = localStorage.getItem(KEY) === 'zh' ? 'zh' : 'en';

  function t(name, values) {
    const fallback = name.replace(/^action_/, '').replace(/_/g, ' ');
    const text = texts[language][name] ?? texts.en[name] ?? fallback;
    return text.replace(/\{(\w+)\}/g, (_, key) => String(values && values[key] !== undefined ? values[key] : ''));
  }

  function apply() {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  }

  function define(more) {
    for (const lang of ['en', 'zh']) Object.assign(texts[lang], more[lang]);
    apply();
  }

  function toggle() {
    set(language === 'zh' ? 'en' : 'zh');
  }

  function set(chosen) {
    language = chosen === 'zh' ? 'zh' : 'en';
    localStorage.setItem(KEY, language);
    apply();
    listeners.forEach((listener) => listener(language));
  }

  /* "2026-11-21T08:00:00+00:00" -> "2026-11-21 16:00 (UTC+8)": due dates are shown in Beijing time. */
  function beijing(iso) {
    if (!iso) return '—';
    return new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 16) + ' (UTC+8)';
  }

  const button = document.getElementById('lang-switch');
  if (button) button.addEventListener('click', toggle);
  document.addEventListener('DOMContentLoaded', apply);
  /* bpmn-js draws labels with Arial: use the CJK web font first (as a fallback, Chromium left some glyphs as boxes). */
  const FONT = '"Noto Sans SC", Arial, sans-serif';
  const textRenderer = {defaultStyle: {fontFamily: FONT}, externalStyle: {fontFamily: FONT}};

  window.I18n = {t, define, apply, set, beijing, textRenderer, onChange: (listener) => listeners.push(listener),
                 get language() { return language; }};
})();
