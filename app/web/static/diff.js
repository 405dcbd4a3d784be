/* A line diff of two texts (longest common subsequence), for the editor's review before deploying:
   diffLines(a, b) -> [{op: ' ' | '-' | '+', line}], and changedOnly(rows, context) which keeps the
   changed lines with `context` unchanged lines around each and '…' rows for the gaps. */
export function diffLines(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const common = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const rows = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      rows.push({op: ' ', line: a[i++]});
      j++;
    } else if (j < m && (i === n || common[i][j + 1] >= common[i + 1][j])) {
      rows.push({op: '+', line: b[j++]});
    } else {
      rows.push({op: '-', line: a[i++]});
    }
  }
  return rows;
}

export function changedOnly(rows, context = 2) {
  const keep = rows.map(() => false);
  rows.forEach((row, index) => {
    if (row.op === ' ') return;
    for (let k = Math.max(0, index - context); k <= Math.min(rows.length - 1, index + context); k++) keep[k] = true;
  });
  const shown = [];
  rows.forEach((row, index) => {
    if (keep[index]) shown.push(row);
    else if (index === 0 || keep[index - 1]) shown.push({op: '…', line: ''});
  });
  return shown;
}
