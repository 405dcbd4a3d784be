/* Analysts' diagram editor: list the process keys, open a version in the bpmn-js Modeler, deploy the
   edited XML, and pin every problem of a rejected diagram (422 invalid_bpmn) to its element. */
(function () {
  'use strict';

  const {start, request, problemText, el} = window.Session;
  const $ = (id) => document.getElementById(id);
  const modeler = new window.BpmnJS({container: '#canvas'});
  window.modeler = modeler;  // for the browser console and the browser tests

  let definitions = [];
  let opened = {key: null, version: null};
  let marked = [];  // elements carrying the `has-problem` marker
  // Deploys are content-addressed on the exact bytes, and bpmn-js re-serializes what it imported:
  // when nothing changed, deploy the XML as it was opened, so an unchanged diagram is "identical content".
  let opening = {xml: null, serialized: null};

  modeler.on('commandStack.changed', () => setDirty(true));

  function setDirty(dirty) {
    $('dirty').hidden = !dirty;
  }

  function showResult(message, kind) {
    $('deploy-result').textContent = message;
    $('deploy-result').className = 'result ' + (kind || '');
  }

  async function loadDefinitions() {
    const result = await request('/process-definitions');
    if (!result.ok) return showResult('Could not list the processes: ' + problemText(result), 'error');
    definitions = result.body;
    render();
  }

  function render() {
    $('keys').replaceChildren(...definitions.map((definition) => {
      const button = el('button', {type: 'button', 'data-key': definition.key,
                                   class: definition.key === opened.key ? 'selected' : null},
                        definition.key, el('span', {class: 'badge'}, 'v' + definition.current_version));
      button.addEventListener('click', () => openVersion(definition.key, definition.current_version));
      return el('li', {}, button);
    }));
    renderVersions();
  }

  function renderVersions() {
    const definition = definitions.find((d) => d.key === opened.key);
    $('versions-heading').hidden = !definition;
    const versions = definition ? [...definition.versions].reverse() : [];
    $('versions').replaceChildren(...versions.map((v) => {
      const current = v.version === definition.current_version;
      const button = el('button', {type: 'button', 'data-version': v.version, title: 'sha256 ' + v.sha256,
                                   class: v.version === opened.version ? 'selected' : null},
                        'v' + v.version, current ? el('span', {class: 'badge current'}, 'current') : null,
                        el('small', {}, v.deployed_at.replace('T', ' ').slice(0, 16)));
      button.addEventListener('click', () => openVersion(definition.key, v.version));
      return el('li', {}, button);
    }));
  }

  async function openVersion(key, version) {
    if (!$('dirty').hidden && !window.confirm('Discard the unsaved changes?')) return;
    const path = `/process-definitions/${encodeURIComponent(key)}/versions/${version}`;
    const result = await request(path, {headers: {Accept: 'application/xml'}});
    if (!result.ok) return showResult(`Could not open ${key} v${version}: ` + problemText(result), 'error');
    if (await importDiagram(result.body, `${key} v${version}`)) {
      opened = {key, version};
      showResult('');
      render();
    }
  }

  async function openFile(file) {
    if (!file || (!$('dirty').hidden && !window.confirm('Discard the unsaved changes?'))) return;
    if (await importDiagram(await file.text(), file.name + ' (not deployed)')) {
      opened = {key: null, version: null};
      setDirty(true);
      render();
    }
  }

  async function importDiagram(xml, title) {
    clearProblems();
    try {
      await modeler.importXML(xml);
    } catch (error) {
      showResult('This diagram cannot be drawn: ' + error.message, 'error');
      return false;
    }
    modeler.get('canvas').zoom('fit-viewport');
    opening = {xml, serialized: (await modeler.saveXML({format: true})).xml};
    $('open-title').textContent = title;
    $('deploy').disabled = false;
    setDirty(false);
    return true;
  }

  async function deploy() {
    clearProblems();
    showResult('Deploying…');
    $('deploy').disabled = true;
    const {xml} = await modeler.saveXML({format: true});
    const body = xml === opening.serialized ? opening.xml : xml;
    let result;
    try {
      result = await request('/process-definitions',
                             {method: 'POST', headers: {'Content-Type': 'application/xml'}, body});
    } catch (error) {
      return showResult('Not deployed: ' + error.message, 'error');
    } finally {
      $('deploy').disabled = false;
    }
    if (result.status === 201 || result.status === 200) {
      const {key, version} = result.body;
      showResult(result.status === 201 ? `Deployed ${key} as version ${version}.`
                                       : `Identical content: ${key} version ${version} already has it; nothing deployed.`,
                 'ok');
      opened = {key, version};
      opening = {xml: body, serialized: xml};
      $('open-title').textContent = `${key} v${version}`;
      setDirty(false);
      await loadDefinitions();
    } else if (result.status === 422 && result.body.code === 'invalid_bpmn') {
      showProblems(result.body.errors || []);
      showResult('Not deployed: the diagram has problems.', 'error');
    } else {
      showResult('Not deployed: ' + problemText(result), 'error');
    }
  }

  /* The shape a problem belongs to: the element itself, or the pool of a process id. */
  function findElement(id) {
    const registry = modeler.get('elementRegistry');
    return id && (registry.get(id) ||
                  registry.find((e) => e.businessObject.processRef && e.businessObject.processRef.id === id));
  }

  function showProblems(problems) {
    const canvas = modeler.get('canvas');
    const byElement = new Map();
    const general = [];
    for (const problem of problems) {
      const element = findElement(problem.element_id);
      if (!element) general.push(problem);
      else byElement.set(element, [...(byElement.get(element) || []), problem.message]);
    }
    $('problem-count').textContent = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    $('general-problems').replaceChildren(...general.map((p) => el('li', {class: 'general-problem'},
      p.element_id ? el('code', {}, p.element_id) : null, p.element_id ? ': ' : null, p.message)));
    $('element-problems').replaceChildren(...[...byElement].map(([element, messages]) => {
      canvas.addMarker(element, 'has-problem');
      marked.push(element);
      modeler.get('overlays').add(element, 'problem', {
        position: {top: -12, right: 12},
        html: el('div', {class: 'problem-overlay', 'data-element-id': element.id, title: messages.join('\n')},
                 '⚠ ' + messages.length),
      });
      const link = el('button', {type: 'button', class: 'link'}, element.id);
      link.addEventListener('click', () => {
        canvas.scrollToElement(element);
        modeler.get('selection').select(element);
      });
      return el('li', {class: 'element-problem', 'data-element-id': element.id}, link, ': ', messages.join('; '));
    }));
    $('problems').hidden = false;
  }

  function clearProblems() {
    modeler.get('overlays').remove({type: 'problem'});
    for (const element of marked) modeler.get('canvas').removeMarker(element, 'has-problem');
    marked = [];
    $('problems').hidden = true;
  }

  $('deploy').addEventListener('click', deploy);
  $('open-file').addEventListener('change', (event) => openFile(event.target.files[0]));
  start(loadDefinitions);
})();
