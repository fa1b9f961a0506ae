import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ACTIONS_OUTPUTS } from '../../src/release/github-actions.js';
import { getRegistries, TEST_USERS } from '../harness/registries.js';
import { makeTempDir } from '../harness/temp-dir.js';

/**
 * The repository's `action.yml`: a composite action whose outputs are
 * exactly the ones gantry writes, whose inputs all reach the release step
 * through `env:` and never through an expression inside a script (GitHub's
 * security hardening guide, "Using an intermediate environment variable"),
 * and whose release script, run by bash the way the runner runs it, really
 * releases and fills GITHUB_OUTPUT, with a password given on stdin.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}

interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
const releaseStep = action.runs.steps.find((step) => step.id === 'release')!;

/** The step's env with expressions replaced as the runner would. */
function stepEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(releaseStep.env ?? {})) {
    env[name] = value.replace(EXPRESSION, (_, expression: string) => {
      if (expression === 'github.action_path') return ROOT.replace(/\/$/, '');
      const input = /^inputs\.([\w-]+)$/.exec(expression)?.[1];
      assert.ok(input !== undefined, `unexpected expression ${expression}`);
      return inputs[input] ?? action.inputs[input]?.default ?? '';
    });
  }
  return env;
}

let runs = 0;

/** Runs the release step's script as the runner does (`bash -e {0}`-like). */
function runReleaseStep(cwd: string, inputs: Record<string, string>) {
  runs += 1;
  const output = join(cwd, `output-${runs}`);
  writeFileSync(output, '');
  const result = spawnSync('bash', ['-e', '-c', releaseStep.run!], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      ...stepEnv(inputs),
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: join(cwd, 'summary.md'),
    },
  });
  assert.equal(result.status, 0, result.stderr);
  const lines = readFileSync(output, 'utf8').split('\n').filter(Boolean);
  const values = new Map(lines.map((line) => line.split(/=(.*)/s) as [string, string]));
  return { result, values };
}

describe('action.yml', () => {
  it('is a composite action that sets up Node and installs gantry from its path', () => {
    assert.equal(action.runs.using, 'composite');
    assert.ok(
      action.runs.steps.some((step) => step.uses?.startsWith('actions/setup-node@')),
    );
    const install = action.runs.steps.find((step) => step.run?.includes('npm ci'));
    assert.ok(install !== undefined, 'a step runs npm ci');
    assert.match(install.run!, /npm run build/);
  });

  it('declares exactly the outputs gantry writes, each from the release step', () => {
    assert.deepEqual(
      Object.keys(action.outputs).toSorted(),
      [...ACTIONS_OUTPUTS].toSorted(),
    );
    for (const [name, { value }] of Object.entries(action.outputs)) {
      assert.equal(value, `\${{ steps.release.outputs.${name} }}`);
    }
  });

  it('passes every input through env and uses it in the release script', () => {
    const env = releaseStep.env ?? {};
    for (const input of Object.keys(action.inputs)) {
      const variable = Object.keys(env).find((k) => env[k] === `\${{ inputs.${input} }}`);
      assert.ok(variable !== undefined, `input ${input} is passed through env`);
      assert.match(releaseStep.run!, new RegExp(`"\\$${variable}"`), `${input} is used`);
    }
  });

  it('puts no expression into any script and no password on a command line', () => {
    for (const step of action.runs.steps) {
      if (step.run !== undefined) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}`);
    }
    assert.match(releaseStep.run!, /--password-stdin/);
    assert.doesNotMatch(releaseStep.run!, /--password[= ]/);
    // printf is a bash builtin: the password is in no process's arguments.
    assert.match(releaseStep.run!, /printf '%s\\n' "\$REGISTRY_PASSWORD" \|/);
  });
});

describe('action.yml release step, run by bash', () => {
  let work = '';
  before(() => {
    work = makeTempDir('gantry-action-');
    for (const arch of ['amd64', 'arm64']) {
      mkdirSync(join(work, 'dist', arch), { recursive: true });
      writeFileSync(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
    }
    const file = [
      'base:',
      '  files:',
      '    - from: dist/$TARGETARCH/tool',
      '      to: /tool',
    ];
    writeFileSync(join(work, 'release.yaml'), file.join('\n'));
  });

  it('releases to two layouts given one per line and writes every output', () => {
    const to = `oci:${join(work, 'one')}\noci:${join(work, 'two')}\n`;
    const { values } = runReleaseStep(work, { version: '3.1.0', to });
    assert.deepEqual([...values.keys()], [...ACTIONS_OUTPUTS]);
    assert.equal(values.get('version'), '3.1.0');
    assert.equal(values.get('changed'), 'true');
    assert.equal(values.get('verified'), 'true');
    const tags = JSON.parse(values.get('tags')!) as string[];
    assert.ok(tags.includes(`oci:${join(work, 'two')}:3.1.0`), tags.join(' '));
    const record = JSON.parse(readFileSync(join(work, values.get('record')!), 'utf8'));
    assert.equal(record.images[0].digest, values.get('digest'));
  });

  it('logs in with the password on stdin, and a dry-run writes nothing', async () => {
    const { basic } = await getRegistries();
    const to = `${basic.host}/action/tool`;
    const login = { 'registry-username': 'alice', 'registry-password': TEST_USERS.alice };
    const dry = runReleaseStep(work, {
      version: '3.2.0',
      to,
      'dry-run': 'true',
      ...login,
    });
    assert.equal(dry.values.get('dry-run'), 'true');
    assert.equal(dry.values.get('changed'), 'true');
    assert.equal(dry.values.get('record'), '');

    const real = runReleaseStep(work, {
      version: '3.2.0',
      to,
      ...login,
      record: 'r.json',
    });
    assert.equal(real.values.get('verified'), 'true');
    assert.equal(real.values.get('digest'), dry.values.get('digest'));
    assert.ok(!real.result.stderr.includes(TEST_USERS.alice));
  });
});
