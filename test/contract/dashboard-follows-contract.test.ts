/**
 * The dashboard reads the API's shapes from @lathe/contract, so a change of a resource in the
 * contract breaks the dashboard's typecheck instead of its pages at run time. This compiles a
 * dashboard page against the real contract, then against the contract with a field of the Run
 * resource renamed (as an API change would), and expects the page to stop typechecking there.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const runsContract = resolve(root, 'packages/contract/src/api/runs.ts');
const runPage = resolve(root, 'services/dashboard/src/pages/run-page.tsx');

function dashboardOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    resolve(root, 'services/dashboard/tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('services/dashboard/tsconfig.json could not be read');
  return parsed.options;
}

/** The messages tsc reports for the run page, with `overlay` replacing files' contents. */
function runPageErrors(overlay: Record<string, string>): string[] {
  const options = dashboardOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => overlay[resolve(file)] ?? readFile(file);
  const program = ts.createProgram({ rootNames: [runPage], options, host });
  const page = program.getSourceFile(runPage)!;
  return ts
    .getPreEmitDiagnostics(program, page)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the dashboard typechecks against the API contract', () => {
  const original = readFileSync(runsContract, 'utf8');

  it('the run page typechecks against the contract as it is', () => {
    expect(runPageErrors({})).toEqual([]);
  }, 120_000);

  it('fails to typecheck when the API renames a Run field the page reads', () => {
    const field = '    backendInfo: runBackendSchema.nullable().optional(),';
    expect(original).toContain(field);
    const renamed = original.replace(field, '    backendRuntime: runBackendSchema.nullable().optional(),');
    const errors = runPageErrors({ [runsContract]: renamed });
    expect(errors.some((message) => message.includes("Property 'backendInfo' does not exist"))).toBe(true);
  }, 120_000);
});
