/**
 * The Grafana dashboards against real servers:
 * - every Postgres query (panels and variables) runs on a real Postgres after
 *   windows were written with writeWindow, returns rows, and time-series
 *   panels put each point at the window's event-time start;
 * - every PromQL expression is accepted by a real Prometheus (Debian's, on a
 *   loopback port, empty TSDB, our rule files loaded) and reads only metrics
 *   some driftwatch process exports;
 * - the JSON type-checks as @grafana/schema's `Dashboard` (each file embedded
 *   as an object literal, so unknown keys and wrong literal types are errors),
 *   and refers only to the provisioned datasources.
 * Grafana's macros are replaced by their plain SQL / PromQL meaning (macroFree*).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import type { DatabasePool } from 'slonik';
import type { WindowMetrics } from '../../processor/results.js';
import { migrate } from '../../sink/postgres/migrate.js';
import { createPool } from '../../sink/postgres/pool.js';
import { writeWindow } from '../../sink/postgres/writer.js';
import { driftwatchNamesIn, knownMetricNames, ruleFiles } from '../../prometheus/testing/known-metrics.js';
import { requireTool, startPrometheus, type PrometheusServer } from '../../prometheus/testing/prometheus-binaries.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARD_DIR = join(REPO, 'grafana', 'dashboards');
const DASHBOARD_FILES = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort();
const HOUR = 3_600_000;
const FIRST_WINDOW = Date.UTC(2024, 2, 1, 0);
const WINDOW_STARTS = [0, 1, 2].map((i) => FIRST_WINDOW + i * HOUR);
/** The dashboard time range in the test: covers every written window. */
const RANGE = { from: new Date(FIRST_WINDOW - HOUR), to: new Date(FIRST_WINDOW + 4 * HOUR) };
const MODELS = ['churn', 'price'];
const FEATURES = ['age', 'city'];

interface Target { refId: string; datasource?: { type?: string; uid?: string }; rawSql?: string; format?: string; expr?: string }
interface Panel { id: number; type: string; title: string; datasource?: { type?: string; uid?: string }; targets?: Target[]; panels?: Panel[] }
interface Variable { name: string; datasource?: { type?: string; uid?: string }; query?: string | { query: string } }
interface DashboardJson { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] } }

const dashboards = DASHBOARD_FILES.map((file) => ({ file, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as DashboardJson }));
const panelsOf = (d: DashboardJson): Panel[] => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const PG_TYPE = 'grafana-postgresql-datasource';

let db: TestDatabase;
let pool: DatabasePool;
let schemaUrl: string;

before(async () => {
  db = await openTestDatabase();
  schemaUrl = await db.newSchemaUrl();
  pool = await createPool(schemaUrl);
  await migrate(pool);
  for (const start of WINDOW_STARTS) {
    await writeWindow(pool, classificationWindow(start));
    await writeWindow(pool, regressionWindow(start));
  }
});

after(async () => {
  await pool?.end();
  await db?.close();
});

/** Grafana's SQL macros and variables → plain SQL with $1/$2 for the time range. */
function macroFreeSql(text: string, model: string): string {
  const quoted = (v: string) => `'${v.replace(/'/g, "''")}'`;
  return text
    .replace(/\$__timeFilter\(([a-z_]+)\)/g, '$1 BETWEEN $$1 AND $$2')
    .replace(/\$__timeFrom\(\)/g, '$$1')
    .replace(/\$__timeTo\(\)/g, '$$2')
    .replace(/\$\{model:regex\}/g, model)
    .replace(/\$model\b/g, model)
    .replace(/\$feature\b/g, FEATURES.map(quoted).join(', '));
}

/** Grafana's PromQL variables → what Grafana would send for one model. */
function macroFreePromql(expr: string, model: string): string {
  return expr.replace(/\$__rate_interval\b/g, '1m').replace(/\$__interval\b/g, '15s').replace(/\$model\b/g, model);
}

async function runSql(text: string, params: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: schemaUrl });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

const postgresQueries = dashboards.flatMap(({ file, json }) => [
  ...panelsOf(json).flatMap((panel) => (panel.targets ?? [])
    .filter((t) => (t.datasource ?? panel.datasource)?.type === PG_TYPE)
    .map((t) => ({ where: `${file} / ${panel.title} / ${t.refId}`, sql: t.rawSql ?? '', format: t.format, usesRange: true }))),
  ...json.templating.list.filter((v) => v.datasource?.type === PG_TYPE)
    .map((v) => ({ where: `${file} / variable $${v.name}`, sql: String(v.query), format: 'table', usesRange: false })),
]);

test('the dashboards have Postgres queries to check', () => {
  assert.ok(postgresQueries.length >= 15, `found only ${postgresQueries.length} Postgres queries`);
});

for (const query of postgresQueries) {
  test(`SQL returns rows: ${query.where}`, async () => {
    assert.notEqual(query.sql.trim(), '', 'empty rawSql');
    let total = 0;
    for (const model of MODELS) {
      const text = macroFreeSql(query.sql, model);
      assert.doesNotMatch(text, /\$__|\$\{|\$[a-z]/, `a Grafana macro or variable is left: ${text}`);
      const result = await runSql(text, query.usesRange ? [RANGE.from, RANGE.to] : []);
      total += result.rowCount ?? 0;
      if (query.format === 'time_series') {
        assert.equal(result.fields[0]?.name, 'time', 'a time series panel selects window_start AS time first');
        for (const row of result.rows as { time: Date }[]) {
          assert.ok(WINDOW_STARTS.includes(row.time.getTime()), `time ${row.time.toISOString()} is not a window's event-time start`);
        }
      }
    }
    assert.ok(total > 0, `no rows for models ${MODELS.join(', ')}`);
  });
}

test('the time filter really restricts: a range before the first window returns no rows', async () => {
  const seriesQuery = postgresQueries.find((q) => q.format === 'time_series');
  assert.ok(seriesQuery);
  const result = await runSql(macroFreeSql(seriesQuery.sql, 'churn'), [new Date(FIRST_WINDOW - 3 * HOUR), new Date(FIRST_WINDOW - HOUR)]);
  assert.equal(result.rowCount, 0);
});

test('every PromQL expression is accepted by a real Prometheus and reads known metrics', async (t) => {
  const binary = requireTool(t, 'prometheus');
  if (!binary) return;
  const exprs = dashboards.flatMap(({ file, json }) => [
    ...panelsOf(json).flatMap((panel) => (panel.targets ?? [])
      .filter((target) => (target.datasource ?? panel.datasource)?.type === 'prometheus')
      .map((target) => ({ where: `${file} / ${panel.title} / ${target.refId}`, expr: target.expr ?? '' }))),
    // label_values(metric, label) is Grafana's; Prometheus sees the metric selector.
    ...json.templating.list.filter((v) => v.datasource?.type === 'prometheus').map((v) => ({
      where: `${file} / variable $${v.name}`,
      expr: (typeof v.query === 'string' ? v.query : v.query?.query ?? '').replace(/^label_values\(([^,]+),\s*\w+\)$/, '$1'),
    })),
  ]);
  assert.ok(exprs.length >= 15, `found only ${exprs.length} PromQL expressions`);
  const known = knownMetricNames();
  for (const { where, expr } of exprs) {
    const unknown = driftwatchNamesIn(expr).filter((name) => !known.has(name));
    assert.deepEqual(unknown, [], `${where} reads metrics nobody exports`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-prometheus-'));
  let server: PrometheusServer | undefined;
  try {
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, `global:\n  evaluation_interval: 15s\nrule_files:\n${ruleFiles().map((f) => `  - ${JSON.stringify(f)}\n`).join('')}`);
    server = await startPrometheus(binary, { configFile: config, storageDir: join(dir, 'data') });
    // A control: a broken expression is refused, so "accepted" below means something.
    await assert.rejects(server.query('sum by (model (driftwatch_dataset_drift)'), /query refused/);
    for (const { where, expr } of exprs) {
      const data = await server.query(macroFreePromql(expr, 'churn')).catch((error: Error) => {
        throw new Error(`${where}: ${error.message}`);
      });
      assert.ok(Array.isArray(data.result), where);
    }
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('dashboards type-check as @grafana/schema Dashboard', () => {
  // Each JSON becomes an object literal assigned to `Dashboard`: excess-property and
  // literal-type checks apply, which an `import … as Dashboard` cast would skip.
  const checkFile = join(REPO, 'grafana', '__dashboards_check__.ts');
  const source = `import { ThresholdsMode, type Dashboard } from '@grafana/schema';\n${dashboards
    .map(({ file, json }, i) => `// ${file}\nexport const dashboard${i}: Dashboard = ${asTypeScript(json)};\n`).join('')}`;
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === checkFile ? source : readFile(name));
  host.fileExists = (name) => name === checkFile || fileExists(name);
  host.getSourceFile = (name, languageVersion, ...rest) => (name === checkFile
    ? ts.createSourceFile(name, source, languageVersion)
    : getSourceFile(name, languageVersion, ...rest));
  const program = ts.createProgram([checkFile], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diagnostics, []);
  // A control: a misspelt key is an error, so the check above is live.
  const broken = source.replace('"schemaVersion"', '"schemaVersionn"');
  host.readFile = (name) => (name === checkFile ? broken : readFile(name));
  host.getSourceFile = (name, languageVersion, ...rest) => (name === checkFile
    ? ts.createSourceFile(name, broken, languageVersion)
    : getSourceFile(name, languageVersion, ...rest));
  assert.ok(ts.getPreEmitDiagnostics(ts.createProgram([checkFile], options, host)).length > 0, 'a misspelt key was not caught');
});

/**
 * The dashboard as a TypeScript object literal. JSON strings cannot satisfy a TS
 * string enum, so the one enum-typed field we use (thresholds.mode) becomes the
 * member named after its value: "absolute" → ThresholdsMode.Absolute, and an
 * unknown value a missing member, i.e. a type error.
 */
function asTypeScript(json: unknown): string {
  const text = JSON.stringify(json, (key, value: unknown) => {
    if (key === 'thresholds' && value && typeof value === 'object' && typeof (value as { mode?: unknown }).mode === 'string') {
      const mode = (value as { mode: string }).mode;
      return { ...value, mode: `__enum__ThresholdsMode.${mode.charAt(0).toUpperCase()}${mode.slice(1)}__` };
    }
    return value;
  }, 2);
  return text.replace(/"__enum__(\w+\.\w+)__"/g, '$1');
}

test('dashboards use only the provisioned datasources, unique uids and panel ids, and a $model variable', () => {
  const provisioned = parseYaml(readFileSync(join(REPO, 'grafana', 'provisioning', 'datasources', 'driftwatch.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
  const typeOf = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));
  assert.equal(new Set(dashboards.map((d) => d.json.uid)).size, dashboards.length, 'dashboard uids repeat');
  assert.deepEqual(dashboards.map((d) => d.json.title).sort(), ['driftwatch / Data drift', 'driftwatch / Model performance', 'driftwatch / Pipeline health']);
  for (const { file, json } of dashboards) {
    const panels = panelsOf(json);
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${file}: panel ids repeat`);
    assert.ok(json.templating.list.some((v) => v.name === 'model'), `${file}: no $model variable`);
    const refs = [
      ...panels.filter((p) => p.type !== 'row').flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
      ...json.templating.list.map((v) => v.datasource),
    ];
    for (const ref of refs) {
      assert.ok(ref?.uid && typeOf.get(ref.uid) === ref.type, `${file}: datasource ${JSON.stringify(ref)} is not provisioned`);
    }
  }
});

function classificationWindow(start: number): WindowMetrics {
  const index = WINDOW_STARTS.indexOf(start);
  return {
    ...baseWindow('churn', start),
    regression: null,
    classification: {
      count: 90, accuracy: 0.8 - index * 0.05, precision: 0.7, recall: 0.64, f1: 0.67, roc_auc: 0.85, log_loss: 0.43,
      labels: ['0', '1'], confusion_matrix: [[50, 9], [8, 23]],
    },
  };
}

function regressionWindow(start: number): WindowMetrics {
  return {
    ...baseWindow('price', start),
    classification: null,
    regression: { count: 90, mean_error: -0.5, error_std: 22.9, mae: 15.25, abs_error_std: 17.1, abs_error_max: 80, rmse: 23, r2: 0.61, mape: 0.12 },
  };
}

function baseWindow(model: string, start: number): Omit<WindowMetrics, 'regression' | 'classification'> {
  return {
    model, windowStart: start, windowEnd: start + HOUR, revision: 1, rows: 120, labelledRows: 90,
    drift: {
      columns: [
        { column: 'age', type: 'numerical', stattest: 'ks', score: 0.0123, threshold: 0.05, drift_detected: true, statistic: 0.41, reference_count: 500, current_count: 120 },
        { column: 'city', type: 'categorical', stattest: 'chisquare', score: 0.2, threshold: 0.05, drift_detected: false, statistic: 3.1, reference_count: 500, current_count: 118 },
      ],
      number_of_columns: 2, number_of_drifted_columns: 1, share_of_drifted_columns: 0.5, dataset_drift: true, drift_share: 0.5,
    },
    predictionDrift: { column: 'prediction', type: 'numerical', stattest: 'wasserstein', score: 0.07, threshold: 0.1, drift_detected: false, reference_count: 500, current_count: 120 },
    targetDrift: null,
    dataQuality: {
      rows: 120, rows_with_missing: 3, rows_with_missing_share: 0.025,
      columns: [
        { column: 'age', missing_count: 2, missing_share: 2 / 120, out_of_range_count: 5, out_of_range_share: 5 / 120, unseen_count: 0, unseen_values: [], type_violations: 1 },
        { column: 'city', missing_count: 1, missing_share: 1 / 120, out_of_range_count: null, out_of_range_share: null, unseen_count: 2, unseen_values: ['Zürich', "O'Hare"], type_violations: 0 },
      ],
    },
  };
}
