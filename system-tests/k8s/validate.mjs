// Validates rendered Kubernetes manifests against the Kubernetes JSON schemas, offline, with the npm package
// kubernetes-models (and its packages for the Prometheus Operator's and External Secrets' resources).
//
//   node validate.mjs <node_modules folder> <rendered.yaml>...
//
// For each rendered file it writes <rendered>.json (the objects, for the Java test's own checks) and prints one JSON
// line per object: {file, apiVersion, kind, name, result: "valid" | "invalid" | "no-schema", errors}.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
const { parseAllDocuments } = createRequire(join(modules, "noop.js"))("yaml");

// where the model of an apiVersion/kind is: the core group is "v1" at the package's top
const packages = ["kubernetes-models", "@kubernetes-models/prometheus-operator", "@kubernetes-models/external-secrets"];
function modelFile(apiVersion, kind) {
  for (const pkg of packages) {
    const file = join(modules, pkg, apiVersion, kind + ".js");
    if (existsSync(file)) {
      return file;
    }
  }
  return null;
}

for (const file of files) {
  const objects = [];
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      console.log(JSON.stringify({ file, result: "invalid", errors: document.errors.map(e => e.message) }));
      continue;
    }
    const object = document.toJS();
    if (object === null) {
      continue;
    }
    objects.push(object);
    const line = { file, apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name };
    const model = object.apiVersion && object.kind ? modelFile(object.apiVersion, object.kind) : null;
    if (model === null) {
      console.log(JSON.stringify({ ...line, result: "no-schema" }));
      continue;
    }
    const module = await import(pathToFileURL(model).href);
    const Model = module[object.kind] ?? module.default;
    try {
      new Model(object).validate();
      console.log(JSON.stringify({ ...line, result: "valid" }));
    } catch (e) {
      const errors = (e.errors ?? [{ message: e.message }]).map(x => `${x.instancePath ?? ""} ${x.message}`.trim());
      console.log(JSON.stringify({ ...line, result: "invalid", errors }));
    }
  }
  writeFileSync(file.replace(/\.yaml$/, "") + ".json", JSON.stringify(objects));
}
