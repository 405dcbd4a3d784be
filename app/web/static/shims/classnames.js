/* classnames as an ES module (the npm package is CommonJS only): classNames('a', {b: true}, ['c']) -> 'a b c'. */
export default function classNames(...args) {
  const names = [];
  for (const arg of args) {
    if (!arg) continue;
    if (typeof arg === 'string' || typeof arg === 'number') names.push(String(arg));
    else if (Array.isArray(arg)) names.push(classNames(...arg));
    else if (typeof arg === 'object') names.push(...Object.keys(arg).filter((key) => arg[key]));
  }
  return names.filter(Boolean).join(' ');
}
