// Validates OpenAPI 3.1 documents: @apidevtools/swagger-parser (the OpenAPI 3.1 JSON Schema,
// every $ref resolved), then the checks below, which swagger-parser makes only for Swagger 2.0.
//
//   node validate.mjs DOC.json... [--broken DOC.json]
//
// Each DOC must pass; the --broken one is first broken on purpose in two ways (a dangling $ref,
// an undeclared path parameter) and each broken copy must be refused. Prints ok:/FAILED: per check
// and closes with "N passed, N failed"; exit status 0 when nothing failed.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const SwaggerParser = require("@apidevtools/swagger-parser");
const Ajv2020 = require("ajv/dist/2020").default;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// The checks of the OpenAPI 3.1 specification that its JSON Schema does not express, and castor's
// own conventions. Returns a list of problems (empty: fine).
function specProblems(doc, api) {
  const problems = [];
  const components = doc.components ?? {};
  const deref = (obj) => {
    if (obj && typeof obj.$ref === "string") {
      const parts = obj.$ref.replace(/^#\//, "").split("/");
      let target = doc;
      for (const part of parts) target = target?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
      return target;
    }
    return obj;
  };
  const schemes = new Set(Object.keys(components.securitySchemes ?? {}));
  const tags = new Set((doc.tags ?? []).map((t) => t.name));
  const operationIds = new Set();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const templated = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) problems.push(`${where}: no operationId`);
      else if (operationIds.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} twice`);
      else operationIds.add(op.operationId);
      for (const tag of op.tags ?? []) {
        if (!tags.has(tag)) problems.push(`${where}: tag ${tag} is not declared at the top level`);
      }
      // Parameters: unique by (name, in); the path ones exactly the template's, all required.
      const seen = new Set();
      const pathParams = new Set();
      for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const p = deref(raw);
        if (!p) {
          problems.push(`${where}: unresolvable parameter ${raw.$ref}`);
          continue;
        }
        const id = `${p.in}:${p.in === "header" ? p.name.toLowerCase() : p.name}`;
        if (seen.has(id)) problems.push(`${where}: parameter ${p.name} (${p.in}) twice`);
        seen.add(id);
        if (p.in === "path") {
          pathParams.add(p.name);
          if (p.required !== true) problems.push(`${where}: path parameter ${p.name} not required`);
        }
      }
      for (const name of templated) {
        if (!pathParams.has(name)) problems.push(`${where}: path parameter {${name}} not declared`);
      }
      for (const name of pathParams) {
        if (!templated.has(name)) problems.push(`${where}: parameter ${name} is not in the path`);
      }
      // Security: every scheme named is declared.
      for (const requirement of op.security ?? doc.security ?? []) {
        for (const scheme of Object.keys(requirement)) {
          if (!schemes.has(scheme)) problems.push(`${where}: unknown security scheme ${scheme}`);
        }
      }
      // Responses: at least one success, and every JSON error body is castor's error body.
      const responses = op.responses ?? {};
      if (!Object.keys(responses).some((code) => /^[23]/.test(code))) {
        problems.push(`${where}: no 2xx/3xx response`);
      }
      for (const [code, raw] of Object.entries(responses)) {
        const r = deref(raw);
        const schema = r?.content?.["application/json"]?.schema;
        if (!/^[45]/.test(code) || !schema) continue;
        const refs = [schema.$ref, ...(schema.allOf ?? []).map((s) => s.$ref)];
        if (!refs.some((ref) => ref === "#/components/schemas/Error" ||
                                ref === "#/components/schemas/MissingBlobsError")) {
          problems.push(`${where}: the ${code} body is not the error schema`);
        }
      }
    }
  }
  // Object schemas: every required property is a property.
  for (const [name, schema] of Object.entries(components.schemas ?? {})) {
    if (schema.properties && schema.required) {
      for (const prop of schema.required) {
        if (!(prop in schema.properties)) problems.push(`schema ${name}: required ${prop} is no property`);
      }
    }
  }
  // Every schema in the dereferenced document compiles as JSON Schema 2020-12 (OpenAPI 3.1's
  // dialect), strictly: an unknown keyword or a malformed one is a problem.
  const ajv = new Ajv2020({ strict: true, validateFormats: false, allowUnionTypes: true });
  const compileAll = (node, at) => {
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "schema" && value && typeof value === "object") {
        try {
          ajv.compile(value);
        } catch (e) {
          problems.push(`${at}/schema: ${e.message}`);
        }
      } else if (key !== "example" && key !== "examples") {
        compileAll(value, `${at}/${key}`);
      }
    }
  };
  compileAll(api.paths, "#/paths");
  for (const [name, schema] of Object.entries(api.components?.schemas ?? {})) {
    try {
      ajv.compile(schema);
    } catch (e) {
      problems.push(`schema ${name}: ${e.message}`);
    }
  }
  return problems;
}

// Null when `doc` is valid, else the reasons.
async function invalidity(doc) {
  let api;
  try {
    api = await SwaggerParser.validate(structuredClone(doc));
  } catch (e) {
    return `swagger-parser: ${e.message}`;
  }
  const problems = specProblems(doc, api);
  return problems.length ? problems.join("\n  ") : null;
}

const args = process.argv.slice(2);
const valid = [];
const broken = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--broken") broken.push(args[++i]);
  else valid.push(args[i]);
}
let passed = 0;
let failed = 0;
const report = (ok, what) => {
  console.log(`${ok ? "ok" : "FAILED"}: ${what}`);
  ok ? ++passed : ++failed;
};

for (const file of valid) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const why = await invalidity(doc);
  const ops = Object.values(doc.paths).reduce(
    (n, item) => n + METHODS.filter((m) => item[m]).length, 0);
  report(why === null, `${file} (OpenAPI ${doc.openapi}, ${ops} operations)${why ? "\n  " + why : ""}`);
}
for (const file of broken) {
  const dangling = JSON.parse(readFileSync(file, "utf8"));
  delete dangling.components.schemas.Object;
  report((await invalidity(dangling)) !== null, `${file} without the Object schema is refused`);
  const undeclared = JSON.parse(readFileSync(file, "utf8"));
  undeclared.paths["/v1/nothing/{n}"] = {
    get: { operationId: "nothing", responses: { 200: { description: "nothing" } } },
  };
  report((await invalidity(undeclared)) !== null,
         `${file} with an undeclared path parameter is refused`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
