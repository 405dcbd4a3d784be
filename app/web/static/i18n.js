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
  const listeners = [];
  let language = localStorage.getItem(KEY) === 'zh' ? 'zh' : 'en';

  function t(name, values) {
    const text = texts[language][name] ?? texts.en[name] ?? name;
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
    language = language === 'zh' ? 'en' : 'zh';
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
  window.I18n = {t, define, apply, beijing, onChange: (listener) => listeners.push(listener),
                 get language() { return language; }};
})();
