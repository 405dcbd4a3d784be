/* Shared by the pages: sign-in with a pasted bearer token (kept in sessionStorage, this tab only),
   calls to the JSON API with that token, and a tiny DOM helper that never parses HTML. */
(function () {
  'use strict';

  const TOKEN_KEY = 'fulfilment.token';
  const API = document.body.dataset.api;
  const $ = (id) => document.getElementById(id);
  let whenSignedIn = () => {};

  function showSignIn(message) {
    $('page').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }

  function showPage() {
    $('sign-in').hidden = true;
    $('page').hidden = false;
    $('sign-out').hidden = false;
    whenSignedIn();
  }

  /* Run `onSignedIn` now if this tab holds a token, else after the person signs in. */
  function start(onSignedIn) {
    whenSignedIn = onSignedIn;
    $('sign-in-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token').value.trim().replace(/^Bearer\s+/i, '');
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      showPage();
    });
    $('sign-out').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      window.location.reload();
    });
    if (sessionStorage.getItem(TOKEN_KEY)) showPage(); else showSignIn();
  }

  /* fetch(API + path) with the token; resolves to {ok, status, body} (JSON parsed, else text). */
  async function request(path, options = {}) {
    const headers = Object.assign({Accept: 'application/json'}, options.headers,
                                  {Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY)});
    const response = await fetch(API + path, Object.assign({}, options, {headers}));
    const type = response.headers.get('Content-Type') || '';
    const body = type.includes('json') ? await response.json() : await response.text();
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn('That token was not accepted (' + problemText({status: 401, body}) + '). Paste a valid one.');
    }
    return {ok: response.ok, status: response.status, body};
  }

  /* One line for a failed call: the problem document's detail, else the status. */
  function problemText(result) {
    const body = result.body || {};
    return body.detail || body.title || ('HTTP ' + result.status);
  }

  /* el('li', {class: 'x', 'data-id': 1}, 'text', child) -> element; text is always text, never HTML. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }

  /* POST /attachments with the file (multipart field `file`), reporting progress (0..1) as it uploads;
     resolves to {ok, status, body} like request(). */
  function upload(file, onProgress) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', API + '/attachments');
      xhr.setRequestHeader('Authorization', 'Bearer ' + sessionStorage.getItem(TOKEN_KEY));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
      });
      const done = () => {
        let body = xhr.responseText;
        try { body = JSON.parse(body); } catch (error) { /* not JSON: keep the text */ }
        resolve({ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, body});
      };
      xhr.addEventListener('load', done);
      xhr.addEventListener('error', done);
      const form = new FormData();
      form.append('file', file);
      xhr.send(form);
    });
  }

  /* Download GET /attachments/{id} with the token (a plain link cannot send it) under its file name. */
  async function download(id, filename) {
    const response = await fetch(API + '/attachments/' + encodeURIComponent(id),
                                 {headers: {Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY)}});
    if (!response.ok) return {ok: false, status: response.status, body: {}};
    const disposition = response.headers.get('Content-Disposition') || '';
    const named = /filename\*=UTF-8''([^;]+)/i.exec(disposition) || /filename="?([^";]+)"?/i.exec(disposition);
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', {href: url, download: filename || (named ? decodeURIComponent(named[1]) : id)});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return {ok: true, status: response.status};
  }

  window.Session = {start, request, problemText, el, upload, download};
})();
