/* An action's form, generated from the JSON Schema GET /tasks gives for it (`action_forms`, derived from the
   platform's form definitions): one input per property (text, long text, date-time, URL, nested object),
   required ones marked, attachments uploaded as soon as they are chosen with a progress bar each, and the
   server's 422 field errors shown next to their fields. Forms.open(container, task, action, onDone). */
(function () {
  'use strict';

  const {request, problemText, el, upload} = window.Session;
  const {t, define} = window.I18n;
  define({
    en: {required: 'required', attachments: 'Attachments', submit: 'Submit', cancel: 'Cancel', uploading: 'uploading',
         description: 'Description', note: 'Note', reason: 'Reason', actual_start_time: 'Actual start time',
         carrier: 'Carrier', tracking_no: 'Tracking number', code: 'Code', app_info: 'App access',
         front_url: 'Front-end URL', admin_url: 'Admin URL', username: 'User name', no_data: 'No data needed.'},
    zh: {required: '必填', attachments: '附件', submit: '提交', cancel: '取消', uploading: '上传中',
         description: '需求描述', note: '备注', reason: '原因', actual_start_time: '实际开始时间',
         carrier: '承运商', tracking_no: '运单号', code: '识别码', app_info: '应用访问信息',
         front_url: '前台地址', admin_url: '管理后台地址', username: '用户名', no_data: '无需填写内容。'},
  });
  const LONG = ['description', 'note', 'reason'];

  function errorSlot(path) {
    return el('span', {class: 'field-error', 'data-error-for': path, role: 'alert'});
  }

  /* One property: [element, collect()] where collect() is its value (undefined when left empty). */
  function field(name, spec, required, path, prefix) {
    const label = el('label', {for: `field-${prefix}${path}`}, t(name), required ? el('span', {class: 'req'}, ' * ' + t('required')) : null);
    if (spec.type === 'object') {
      const parts = Object.entries(spec.properties || {}).map(([inner, innerSpec]) =>
        field(inner, innerSpec, (spec.required || []).includes(inner), `${path}.${inner}`, prefix));
      const collect = () => {
        const value = {};
        parts.forEach(([, get], index) => {
          const got = get();
          if (got !== undefined) value[Object.keys(spec.properties)[index]] = got;
        });
        return Object.keys(value).length ? value : undefined;
      };
      return [el('fieldset', {'data-field': path}, el('legend', {}, t(name)), ...parts.map(([node]) => node),
                 errorSlot(path)), collect];
    }
    if (spec.type === 'boolean') {
      const box = el('input', {id: `field-${prefix}${path}`, name: path, type: 'checkbox'});
      return [el('div', {class: 'field', 'data-field': path}, label, box, errorSlot(path)), () => box.checked];
    }
    if (spec.type === 'array') {  // e.g. seat allocations: a JSON list, checked by the server
      const area = el('textarea', {id: `field-${prefix}${path}`, name: path, rows: 3, placeholder: '[{...}]'});
      const parse = () => {
        const text = area.value.trim();
        try { return text ? JSON.parse(text) : undefined; } catch (error) { return text; }
      };
      return [el('div', {class: 'field', 'data-field': path}, label, area, errorSlot(path)), parse];
    }
    const numeric = spec.type === 'integer' || spec.type === 'number';
    const long = LONG.includes(name) || (spec.maxLength || 0) > 500;
    const type = spec.format === 'date-time' ? 'datetime-local' : spec.format === 'url' ? 'url'
      : spec.format === 'date' ? 'date' : numeric ? 'number' : 'text';
    const input = long ? el('textarea', {id: `field-${prefix}${path}`, name: path, rows: 3})
                       : el('input', {id: `field-${prefix}${path}`, name: path, type});
    const collect = () => {
      const value = input.value.trim();
      if (!value) return undefined;
      if (numeric) return Number(value);
      return type === 'datetime-local' ? new Date(value).toISOString() : value;
    };
    return [el('div', {class: 'field', 'data-field': path}, label, input, errorSlot(path)), collect];
  }

  function attachmentsField(spec, prefix) {
    const required = (spec.minItems || 0) > 0;
    const ids = [];
    const input = el('input', {id: `field-${prefix}attachments`, type: 'file', multiple: true});
    const list = el('ul', {class: 'uploads'});
    input.addEventListener('change', () => {
      for (const file of input.files) {
        const bar = el('progress', {max: 1, value: 0});
        const item = el('li', {class: 'upload'}, file.name + ' ', bar);
        list.append(item);
        upload(file, (fraction) => { bar.value = fraction; }).then((result) => {
          if (result.ok) {
            bar.value = 1;
            ids.push(result.body.id);
            item.dataset.attachmentId = result.body.id;
            item.classList.add('uploaded');
          } else {
            item.classList.add('failed');
            item.append(' ' + problemText(result));
          }
        });
      }
      input.value = '';
    });
    const label = el('label', {for: `field-${prefix}attachments`}, t('attachments'),
                     required ? el('span', {class: 'req'}, ' * ' + t('required')) : null);
    return [el('div', {class: 'field', 'data-field': 'attachments'}, label, input, list, errorSlot('attachments')),
            () => [...ids], required];
  }

  /* 422 `errors` {field: [messages]} or nested {app_info: {front_url: [...]}} -> text next to each field. */
  function showErrors(form, errors, prefix = '') {
    for (const [name, value] of Object.entries(errors || {})) {
      const path = prefix + name;
      if (Array.isArray(value)) {
        const slot = form.querySelector(`[data-error-for="${CSS.escape(path)}"]`) ||
                     form.querySelector('[data-error-for="_general"]');
        slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + value.join(' ');
      } else if (value && typeof value === 'object') {
        showErrors(form, value, path + '.');
      }
    }
  }

  /* `prefix` keeps the inputs' ids apart when two forms share a page. */
  function build(schema, prefix = '') {
    const properties = Object.entries(schema.properties || {});
    const required = schema.required || [];
    const parts = properties.filter(([name]) => name !== 'attachments')
      .map(([name, spec]) => [name, ...field(name, spec, required.includes(name), name, prefix), required.includes(name)]);
    const files = schema.properties && schema.properties.attachments;
    const attach = files && files.maxItems !== 0 ? attachmentsField(files, prefix) : null;
    const nodes = [...parts.map(([, node]) => node), attach ? attach[0] : null];
    const collect = () => {
      const data = {};
      for (const [name, , get] of parts) {
        const value = get();
        if (value !== undefined) data[name] = value;
      }
      return {data, attachments: attach ? attach[1]() : []};
    };
    const missing = () => {
      const {data, attachments} = collect();
      const names = parts.filter(([name, , , needed]) => needed && data[name] === undefined).map(([name]) => name);
      return attach && attach[2] && !attachments.length ? [...names, 'attachments'] : names;
    };
    return {nodes, collect, missing};
  }

  /* The form of `action` on `task` inside `container`; onDone(orderOrResult) after the server accepted it. */
  function open(container, task, action, onDone) {
    const schema = (task.action_forms || {})[action] || {properties: {}};
    const built = build(schema);
    const general = el('p', {class: 'error', 'data-error-for': '_general', role: 'alert'});
    const submit = el('button', {type: 'submit', class: 'primary'}, t('submit'));
    const cancel = el('button', {type: 'button'}, t('cancel'));
    const form = el('form', {class: 'action-form', 'data-action': action, novalidate: true},
                    el('h3', {}, t('action_' + action)), ...(built.nodes.filter(Boolean).length ? built.nodes
                      : [el('p', {}, t('no_data'))]), general, el('div', {class: 'buttons'}, submit, cancel));
    cancel.addEventListener('click', () => form.remove());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      form.querySelectorAll('[data-error-for]').forEach((slot) => { slot.textContent = ''; });
      const missing = built.missing();
      if (missing.length) return showErrors(form, Object.fromEntries(missing.map((name) => [name, [t('required')]])));
      submit.disabled = true;
      const result = await request(`/tasks/${encodeURIComponent(task.id)}/complete`, {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({action, ...built.collect()})});
      submit.disabled = false;
      if (result.ok) {
        form.remove();
        return onDone(result.body);
      }
      if (result.body && result.body.errors && !Array.isArray(result.body.errors)) showErrors(form, result.body.errors);
      general.textContent = problemText(result);
    });
    container.replaceChildren(form);
    return form;
  }

  window.Forms = {open, build, showErrors};
})();
