// Validates a multi-document YAML stream (rendered kustomize output) offline.
// Every document of a core Kubernetes API group is validated against its kubernetes-models@5.1.0
// model (JSON schema of the OpenAPI spec). Documents of other API groups (CRDs such as
// rabbitmq.com/v1beta1 RabbitmqCluster) are listed as skipped. Exit status 1 on any error.
// Usage: node validate.mjs <label> < rendered.yaml
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';

const label = process.argv[2] ?? 'stdin';
const text = readFileSync(0, 'utf8');

// API groups whose models kubernetes-models ships; anything else is a CRD we cannot validate here.
const CORE_GROUPS = new Set([
  '', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'apps',
  'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io',
  'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io', 'node.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'resource.k8s.io',
  'scheduling.k8s.io', 'storage.k8s.io',
]);

// Project rules on top of the schema (see k8s/README.md): hardened, probed, bounded workloads and no
// Service exposing an actuator/management port.
const MANAGEMENT_PORTS = new Set([9080, 8081, 8082, 'management']);
function policyProblems(obj) {
  const problems = [];
  if (obj.kind === 'Service') {
    for (const p of obj.spec?.ports ?? []) {
      if (MANAGEMENT_PORTS.has(p.port) || MANAGEMENT_PORTS.has(p.targetPort)) {
        problems.push(`Service exposes a management port (port ${p.port}, targetPort ${p.targetPort})`);
      }
    }
  }
  if (obj.kind === 'Deployment' || obj.kind === 'StatefulSet') {
    const pod = obj.spec?.template?.spec ?? {};
    if (pod.securityContext?.runAsNonRoot !== true) problems.push('pod securityContext.runAsNonRoot must be true');
    if ((pod.terminationGracePeriodSeconds ?? 30) < 30) problems.push('terminationGracePeriodSeconds must be >= 30');
    for (const c of pod.containers ?? []) {
      const at = `container ${c.name}`;
      if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem must be true`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation must be false`);
      if (!c.resources?.requests || !c.resources?.limits?.memory) problems.push(`${at}: needs resource requests and a memory limit`);
      if (!c.readinessProbe || !c.livenessProbe) problems.push(`${at}: needs readiness and liveness probes`);
    }
  }
  return problems;
}

let errors = 0, valid = 0, skipped = 0;
const seen = new Set();
const fail = (where, msg) => { errors++; console.error(`INVALID ${label}: ${where}: ${msg}`); };

const docs = parseAllDocuments(text);
if (docs.length === 0) fail('stream', 'no documents');
for (const [i, doc] of docs.entries()) {
  if (doc.errors.length) { fail(`document #${i}`, doc.errors.map(e => e.message).join('; ')); continue; }
  const obj = doc.toJS();
  if (obj == null) continue;
  const { apiVersion, kind } = obj;
  const name = obj?.metadata?.name;
  const where = `${apiVersion ?? '?'} ${kind ?? '?'} ${name ?? '?'}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string' || !name) {
    fail(where, 'apiVersion, kind and metadata.name are required'); continue;
  }
  const key = `${apiVersion}|${kind}|${obj.metadata.namespace ?? ''}|${name}`;
  if (seen.has(key)) fail(where, 'duplicate object');
  seen.add(key);

  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!CORE_GROUPS.has(group)) {
    skipped++;
    console.log(`skip    ${label}: ${where} (custom resource: no schema offline)`);
    continue;
  }
  const modulePath = `kubernetes-models/${group === '' ? '' : group + '/'}${version}/${kind}`;
  let Model;
  try {
    Model = (await import(modulePath))[kind];
  } catch (e) {
    fail(where, `unknown apiVersion/kind for a core group (${modulePath})`); continue;
  }
  if (typeof Model !== 'function') { fail(where, `no model class ${kind} in ${modulePath}`); continue; }
  try {
    new Model(obj).validate();
    const problems = policyProblems(obj);
    for (const problem of problems) fail(where, problem);
    if (problems.length === 0) valid++;
    console.log(`ok      ${label}: ${where}`);
  } catch (e) {
    fail(where, e.message);
  }
}
console.log(`${label}: ${valid} valid, ${skipped} skipped (custom resources), ${errors} error(s)`);
process.exit(errors ? 1 : 0);
