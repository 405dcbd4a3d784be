/* Analysts' diagram editor: list the process keys and their versions (make an older one current again),
   open a version in the bpmn-js Modeler with its properties panel (the platform's own properties in a
   group of their own), review the diff against the current version and the orders a day it affects,
   deploy, and pin every problem of a rejected diagram (422 invalid_bpmn) to its element. */
import {BpmnPropertiesPanelModule, BpmnPropertiesProviderModule} from 'bpmn-js-properties-panel';
import {platformPropertiesModule, spiffworkflowModdle} from './platform-properties.js';
import {showReview} from './editor-review.js';
import {clearProblems, showProblems} from './editor-problems.js';

const {start, request, problemText, el} = window.Session;
const {t, define} = window.I18n;
const $ = (id) => document.getElementById(id);
const modeler = new window.BpmnJS({
  container: '#canvas', propertiesPanel: {parent: '#properties'}, textRenderer: window.I18n.textRenderer,
  additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, platformPropertiesModule],
  moddleExtensions: {spiffworkflow: spiffworkflowModdle},
});
window.modeler = modeler;  // for the browser console and the browser tests

define({
  en: {editor_title: 'Diagram editor', processes: 'Processes', versions: 'Versions', open_file: 'Open a file',
       unsaved: 'unsaved changes', deploy: 'Deploy', not_deployed_problems: 'The diagram was not deployed:',
       review_title: 'Deploy this change?', confirm_deploy: 'Deploy now', cancel: 'Cancel', current: 'current',
       make_current: 'make current', made_current: '{key} v{version} is current again: new orders get it.',
       impact: 'New {key} orders get this version instead of v{version}: about {perDay} new orders a day '
         + '({total} orders since {since}). {changed} changed lines:',
       impact_new: '{key} is a new process: no orders get it yet.'},
  zh: {editor_title: '流程编辑器', processes: '流程', versions: '版本', open_file: '打开文件', unsaved: '有未保存的修改',
       deploy: '部署', not_deployed_problems: '流程图未部署：', review_title: '确认部署此修改？', confirm_deploy: '立即部署',
       cancel: '取消', current: '当前', make_current: '设为当前', made_current: '{key} v{version} 已恢复为当前版本：新订单使用它。',
       impact: '新的 {key} 订单将使用此版本（替代 v{version}）：约每天 {perDay} 个新订单（自 {since} 起共 {total} 个）。修改 {changed} 行：',
       impact_new: '{key} 是新流程：尚无订单。'},
});

let definitions = [];
let opened = {key: null, version: null};
// Deploys are content-addressed on the exact bytes, and bpmn-js re-serializes what it imported:
// when nothing changed, deploy the XML as it was opened, so an unchanged diagram is "identical content".
let opening = {xml: null, serialized: null};
let pending = null;  // the XML under review

modeler.on('commandStack.changed', () => setDirty(true));
const setDirty = (dirty) => { $('dirty').hidden = !dirty; };

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
                      'v' + v.version, current ? el('span', {class: 'badge current'}, t('current')) : null,
                      el('small', {}, v.deployed_at.replace('T', ' ').slice(0, 16)));
    button.addEventListener('click', () => openVersion(definition.key, v.version));
    const make = current ? null : el('button', {type: 'button', class: 'make-current', 'data-version': v.version},
                                     t('make_current'));
    if (make) make.addEventListener('click', () => makeCurrent(definition.key, v.version));
    return el('li', {}, button, make);
  }));
}

async function makeCurrent(key, version) {
  const result = await request(`/process-definitions/${encodeURIComponent(key)}/current`, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({version})});
  if (!result.ok) return showResult('Not changed: ' + problemText(result), 'error');
  showResult(t('made_current', {key, version}), 'ok');
  await loadDefinitions();
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
  clearProblems(modeler);
  $('review').hidden = true;
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

/* The key the diagram deploys as: its executable process's id. */
function keyOf() {
  const root = modeler.getDefinitions();
  const process = root.rootElements.find((e) => e.$instanceOf('bpmn:Process') && e.isExecutable) ||
                  root.rootElements.find((e) => e.$instanceOf('bpmn:Process'));
  return process ? process.id : opened.key;
}

async function review() {
  clearProblems(modeler);
  const {xml} = await modeler.saveXML({format: true});
  pending = xml === opening.serialized ? opening.xml : xml;
  const key = keyOf();
  const changed = await showReview(definitions.find((d) => d.key === key), key, xml);
  if (!changed) return deploy();  // the current version's content: the server answers "identical content"
  $('review').hidden = false;
}

async function deploy() {
  $('review').hidden = true;
  showResult('Deploying…');
  $('deploy').disabled = true;
  const body = pending;
  let result;
  try {
    result = await request('/process-definitions', {method: 'POST', headers: {'Content-Type': 'application/xml'}, body});
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
    opening = {xml: body, serialized: (await modeler.saveXML({format: true})).xml};
    $('open-title').textContent = `${key} v${version}`;
    setDirty(false);
    await loadDefinitions();
  } else if (result.status === 422 && result.body.code === 'invalid_bpmn') {
    showProblems(modeler, result.body.errors || []);
    showResult('Not deployed: the diagram has problems.', 'error');
  } else {
    showResult('Not deployed: ' + problemText(result), 'error');
  }
}

$('deploy').addEventListener('click', review);
$('confirm-deploy').addEventListener('click', deploy);
$('cancel-deploy').addEventListener('click', () => { $('review').hidden = true; });
$('open-file').addEventListener('change', (event) => openFile(event.target.files[0]));
window.I18n.onChange(renderVersions);
start(loadDefinitions);
