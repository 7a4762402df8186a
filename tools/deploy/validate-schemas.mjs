// Validates rendered Kubernetes objects (a JSON array on stdin) against the Kubernetes API schemas
// and the Strimzi and Prometheus-operator CRD schemas (kubernetes-models). Those packages are ES
// modules only, so this runs as a plain Node script; it prints [{ kind, name, error }] for the invalid.
const PACKAGES = {
  'kafka.strimzi.io': '@kubernetes-models/strimzi-kafka-operator',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const object of JSON.parse(input)) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const name = object.metadata?.name;
  if (group === 'kustomize.config.k8s.io') continue;
  const modulePath = PACKAGES[group] ? `${PACKAGES[group]}/${group}/${version}/${object.kind}` : `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(modulePath))[object.kind];
  } catch (error) {
    problems.push({ kind: object.kind, name, error: `no schema for ${object.apiVersion} ${object.kind}: ${error.message}` });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ kind: object.kind, name, error: error.message });
  }
}
process.stdout.write(JSON.stringify(problems));
