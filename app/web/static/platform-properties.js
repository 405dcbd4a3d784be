/* The platform's own properties in the bpmn-js properties panel: a "Platform" group whose entries read
   and write the <spiffworkflow:property name=… value=…> extension elements the engine reads (see bpmn/*.bpmn):
   actions, form, sla, status_zh, review_role on user tasks; status_zh on other nodes; appeal_policy and
   milestones on the process (selected through its pool). */
import {SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited} from '@bpmn-io/properties-panel';

const NS = 'spiffworkflow';
export const spiffworkflowModdle = {
  name: 'SpiffWorkflow', prefix: NS, uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  xml: {tagAlias: 'lowerCase'}, associations: [],
  types: [
    {name: 'Properties', superClass: ['Element'], properties: [{name: 'values', type: 'Property', isMany: true}]},
    {name: 'Property', superClass: ['Element'], properties: [
      {name: 'name', type: 'String', isAttr: true}, {name: 'value', type: 'String', isAttr: true}]},
  ],
};

const REVIEW_ROLES = ['', 'base_manager', 'rep_office', 'product_dept', 'cloud_review'];
const FIELDS = {
  actions: {label: 'actions', help: 'comma-separated, e.g. deliver,return_requirement'},
  form: {label: 'form', help: 'action=form name, e.g. deliver=delivery'},
  sla: {label: 'sla', help: 'ISO 8601 duration, e.g. P5D'},
  status_zh: {label: 'status_zh', help: '中文节点名'},
  review_role: {label: 'review_role', options: REVIEW_ROLES},
  appeal_policy: {label: 'appeal_policy', options: ['', 'default', 'hardware']},
  milestones: {label: 'milestones', options: ['', 'staged']},
};

/* The moddle element carrying the properties: the node itself, or the process of a selected pool. */
function holder(element) {
  const bo = element.businessObject;
  if (bo.$instanceOf('bpmn:Participant')) return bo.processRef || null;
  return bo;
}

function fieldsFor(element) {
  const bo = element.businessObject;
  if (bo.$instanceOf('bpmn:UserTask')) return ['actions', 'form', 'sla', 'status_zh', 'review_role'];
  if (bo.$instanceOf('bpmn:Participant') || bo.$instanceOf('bpmn:Process')) return ['appeal_policy', 'milestones'];
  if (bo.$instanceOf('bpmn:FlowNode')) return ['status_zh'];
  return [];
}

const propertiesOf = (target) => {
  const ext = target.get('extensionElements');
  return ext && ext.get('values').find((value) => value.$instanceOf(NS + ':Properties'));
};

export function readProperty(target, name) {
  const properties = propertiesOf(target);
  const found = properties && properties.get('values').find((p) => p.name === name);
  return found ? found.value || '' : '';
}

/* Set (or, for an empty value, remove) one property as one undoable command. */
function writeProperty(injector, element, target, name, value) {
  const moddle = injector.get('moddle');
  const update = (moddleElement, properties) => ({cmd: 'element.updateModdleProperties',
                                                  context: {element, moddleElement, properties}});
  const commands = [];
  let ext = target.get('extensionElements');
  if (!ext) {
    ext = moddle.create('bpmn:ExtensionElements', {values: []});
    ext.$parent = target;
    commands.push(update(target, {extensionElements: ext}));
  }
  let properties = propertiesOf(target);
  if (!properties) {
    properties = moddle.create(NS + ':Properties', {values: []});
    properties.$parent = ext;
    commands.push(update(ext, {values: [...ext.get('values'), properties]}));
  }
  const values = properties.get('values');
  const existing = values.find((p) => p.name === name);
  if (!value) {
    if (existing) commands.push(update(properties, {values: values.filter((p) => p !== existing)}));
  } else if (existing) {
    commands.push(update(existing, {value}));
  } else {
    const created = moddle.create(NS + ':Property', {name, value});
    created.$parent = properties;
    commands.push(update(properties, {values: [...values, created]}));
  }
  if (commands.length) injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
}

function entry(injector, name) {
  const field = FIELDS[name];
  const component = (props) => {
    const target = holder(props.element);
    const common = {
      element: props.element, id: 'platform-' + name, label: field.label,
      getValue: () => readProperty(target, name),
      setValue: (value) => writeProperty(injector, props.element, target, name, (value || '').trim()),
    };
    if (field.options) {
      return SelectEntry({...common, getOptions: () => field.options.map((o) => ({value: o, label: o || '—'}))});
    }
    return TextFieldEntry({...common, description: field.help, debounce: injector.get('debounceInput')});
  };
  return {id: 'platform-' + name, component, isEdited: field.options ? isSelectEntryEdited : isTextFieldEntryEdited};
}

function PlatformPropertiesProvider(propertiesPanel, injector) {
  this.getGroups = (element) => (groups) => {
    const names = holder(element) ? fieldsFor(element) : [];
    if (names.length) {
      groups.splice(1, 0, {id: 'platform', label: 'Platform · 平台属性',
                           entries: names.map((name) => entry(injector, name))});
    }
    return groups;
  };
  propertiesPanel.registerProvider(400, this);
}
PlatformPropertiesProvider.$inject = ['propertiesPanel', 'injector'];

export const platformPropertiesModule = {
  __init__: ['platformPropertiesProvider'],
  platformPropertiesProvider: ['type', PlatformPropertiesProvider],
};
