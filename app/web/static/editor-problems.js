/* A rejected diagram's problems (422 invalid_bpmn): listed above the canvas, each pinned to its element
   with a marker and an overlay; general problems (no element) listed on their own. */
const {el} = window.Session;
const $ = (id) => document.getElementById(id);
let marked = [];  // elements carrying the `has-problem` marker

/* The shape a problem belongs to: the element itself, or the pool of a process id. */
function findElement(modeler, id) {
  const registry = modeler.get('elementRegistry');
  return id && (registry.get(id) ||
                registry.find((e) => e.businessObject.processRef && e.businessObject.processRef.id === id));
}

export function showProblems(modeler, problems) {
  const canvas = modeler.get('canvas');
  const byElement = new Map();
  const general = [];
  for (const problem of problems) {
    const element = findElement(modeler, problem.element_id);
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

export function clearProblems(modeler) {
  modeler.get('overlays').remove({type: 'problem'});
  for (const element of marked) modeler.get('canvas').removeMarker(element, 'has-problem');
  marked = [];
  $('problems').hidden = true;
}
