/* Before a deploy: the diff of the edited XML against the key's current version, and how many new orders
   a day the change affects. The rate is an estimate from GET /process-definitions/{key}/statistics:
   the orders that ever reached a task of the key (the busiest node's active + completed count) divided by
   the days since the key's first version was deployed (at least one day). */
import {changedOnly, diffLines} from './diff.js';

const {request, el} = window.Session;
const {t} = window.I18n;

/* XML as bpmn-js writes it, so both sides of the diff have the same layout. */
async function normalized(xml) {
  const scratch = new window.BpmnJS();
  try {
    await scratch.importXML(xml);
    return (await scratch.saveXML({format: true})).xml;
  } catch (error) {
    return xml;
  } finally {
    scratch.destroy();
  }
}

export async function currentXml(definition) {
  if (!definition) return '';
  const path = `/process-definitions/${encodeURIComponent(definition.key)}/versions/${definition.current_version}`;
  const result = await request(path, {headers: {Accept: 'application/xml'}});
  return result.ok ? normalized(result.body) : '';
}

export async function ordersPerDay(definition, now = Date.now()) {
  if (!definition) return {perDay: 0, total: 0, since: null};
  const result = await request(`/process-definitions/${encodeURIComponent(definition.key)}/statistics`);
  const rows = result.ok ? result.body : [];
  const total = Math.max(0, ...rows.map((row) => row.active + row.completed));
  const since = definition.versions.map((v) => v.deployed_at).sort()[0];
  const days = Math.max(1, (now - new Date(since).getTime()) / 86400e3);
  return {perDay: Math.round(total / days * 10) / 10, total, since};
}

/* Fill the review panel; resolves to the number of changed lines (0: nothing to review). */
export async function showReview(definition, key, xml) {
  const before = await currentXml(definition);
  const rows = diffLines(before, xml);
  const changed = rows.filter((row) => row.op !== ' ').length;
  const impact = await ordersPerDay(definition);
  document.getElementById('impact').textContent = !definition
    ? t('impact_new', {key})
    : t('impact', {key, perDay: impact.perDay, total: impact.total, since: (impact.since || '').slice(0, 10),
                   version: definition.current_version, changed});
  document.getElementById('impact').dataset.perDay = String(impact.perDay);
  document.getElementById('diff').replaceChildren(...changedOnly(rows).map((row) =>
    el('div', {class: 'diff-line ' + ({'+': 'added', '-': 'removed', '…': 'gap'}[row.op] || '')},
       `${row.op} ${row.line}`)));
  return changed;
}
