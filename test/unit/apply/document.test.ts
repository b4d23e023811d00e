import { describe, expect, it } from 'vitest';
import { DocumentError, parseDocument, serialiseDocument } from '../../../services/cli/apply/document.js';

const problemsOf = (text: string): string[] => {
  try {
    parseDocument(text, 'm.yaml');
  } catch (err) {
    if (err instanceof DocumentError) return err.problems;
    throw err;
  }
  return [];
};

describe('parseDocument', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = 'apiVersion: pharos/v1\nkind: Monitors\nmonitors:\n  - name: a\n    type: Website\n    url: https://a.example.com/\n';
    const json = JSON.stringify({ apiVersion: 'pharos/v1', monitors: [{ name: 'a', type: 'Website', url: 'https://a.example.com/' }] });
    expect(parseDocument(yaml, 'm.yaml')).toEqual(parseDocument(json, 'm.json'));
  });

  it('reports every local problem at once: version, unknown and reserved keys, names, fields', () => {
    const problems = problemsOf([
      'apiVersion: pharos/v2',
      'channels: []',
      'monitorz: []',
      'monitors:',
      '  - type: Website',
      '  - {name: a, type: Website}',
      '  - {name: "a ", type: Website, intervalSecs: 5}',
    ].join('\n'));
    expect(problems).toEqual([
      '"channels" is not supported yet by pharos/v1',
      'unknown top-level key "monitorz"; allowed: apiVersion, kind, monitors',
      'apiVersion must be pharos/v1 (got "pharos/v2")',
      'monitors[0]: name is required (a non-blank string); monitors are matched by name',
      'monitors[2] "a ": duplicate name (also monitors[1])',
      'monitors[2] "a ": unknown field "intervalSecs" (fields are the API body\'s, camelCase)',
    ]);
  });

  it('reports a YAML syntax error with its position', () => {
    expect(problemsOf('monitors: [')[0]).toMatch(/line 1/);
  });

  it('reads back what it writes', () => {
    const monitors = [{ name: 'a: b', type: 'Website', url: 'https://a.example.com/', requestHeaders: { 'X-A': '1' } }];
    expect(parseDocument(serialiseDocument(monitors), 'x').monitors).toEqual(monitors);
  });
});
