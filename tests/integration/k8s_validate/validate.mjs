// Validates Kubernetes manifests against Kubernetes' OpenAPI schema (npm's kubernetes-models) and the
// Prometheus operator's CRD schema (@kubernetes-models/prometheus-operator, generated from its CRDs).
//
//   node validate.mjs [--patch JSON6902.yaml] FILE.yaml|- ...
//
// Every YAML document is checked by the model of its apiVersion and kind; a kind without a model is an
// error, not a pass. --patch applies an RFC 6902 patch (add/replace/remove, as kustomize's `patches:`
// does with a target) to every DaemonSet before it is checked. Prints one JSON line per document:
// {source, apiVersion, kind, name, error, doc}; exits 1 when any document is invalid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

function modelPath(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;  // "v1" and "apps/v1" alike
}

function pointer(path) {
  return path.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function applyPatch(doc, ops) {
  for (const op of ops) {
    const keys = pointer(op.path);
    const last = keys.pop();
    let node = doc;
    for (const k of keys) {
      if (node[k] === undefined) throw new Error(`patch ${op.op} ${op.path}: no ${k}`);
      node = node[k];
    }
    if (op.op === "remove") delete node[last];
    else if (op.op === "add" || op.op === "replace") {
      if (op.op === "replace" && !(last in node)) throw new Error(`patch replace ${op.path}: nothing there`);
      node[last] = op.value;
    } else throw new Error(`patch: unsupported op ${op.op}`);
  }
}

const args = process.argv.slice(2);
let patch = null;
if (args[0] === "--patch") {
  patch = parseAllDocuments(readFileSync(args[1], "utf8"))[0].toJS();
  args.splice(0, 2);
}
let failed = false;
for (const source of args) {
  const text = readFileSync(source === "-" ? 0 : source, "utf8");
  for (const parsed of parseAllDocuments(text)) {
    if (parsed.errors.length) {
      failed = true;
      console.log(JSON.stringify({ source, error: parsed.errors.map(String).join("; ") }));
      continue;
    }
    const doc = parsed.toJS();
    if (doc === null) continue;
    const out = { source, apiVersion: doc.apiVersion, kind: doc.kind, name: doc.metadata?.name, error: null };
    try {
      if (patch && doc.kind === "DaemonSet") applyPatch(doc, patch);
      const module = await import(modelPath(String(doc.apiVersion), String(doc.kind)));
      new module[doc.kind](doc).validate();
    } catch (e) {
      out.error = String(e.message || e);
      failed = true;
    }
    out.doc = doc;
    console.log(JSON.stringify(out));
  }
}
process.exit(failed ? 1 : 0);
