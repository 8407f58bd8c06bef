/**
 * Every field of the admin API is described: the generated OpenAPI document (built from
 * @lathe/contract's schemas) is walked, and every object property and every parameter must
 * carry a description, its own or its component's. A field added without `.describe()` fails
 * here, naming where it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../api/api-harness.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `#/components/schemas/X` → the component, for a `$ref`'s own description. */
function resolveRef(document: Json, ref: string): Json | undefined {
  const parts = ref.replace(/^#\//, '').split('/');
  let node: unknown = document;
  for (const part of parts) node = isObject(node) ? node[part] : undefined;
  return isObject(node) ? node : undefined;
}

function described(document: Json, schema: Json): boolean {
  if (typeof schema.description === 'string' && schema.description.trim() !== '') return true;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(document, schema.$ref);
    return target !== undefined && described(document, target);
  }
  // A nullable or wrapped component (`anyOf: [{$ref}, {type: null}]`, `allOf: [{$ref}]`).
  const branches = [schema.anyOf, schema.oneOf, schema.allOf].find(Array.isArray) as Json[] | undefined;
  return (
    branches !== undefined && branches.some((b) => isObject(b) && b.type !== 'null' && described(document, b))
  );
}

/** Every property and parameter of `document` without a description, as a JSON path. */
export function undescribedFields(document: Json): string[] {
  const missing: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (!isObject(node)) return;
    if (isObject(node.properties)) {
      for (const [name, property] of Object.entries(node.properties)) {
        if (isObject(property) && !described(document, property)) missing.push(`${path}.properties.${name}`);
      }
    }
    if (Array.isArray(node.parameters)) {
      node.parameters.forEach((parameter, i) => {
        if (!isObject(parameter)) return;
        const schema = isObject(parameter.schema) ? parameter.schema : {};
        if (typeof parameter.description !== 'string' && !described(document, schema))
          missing.push(`${path}.parameters[${i}] (${String(parameter.in)} ${String(parameter.name)})`);
      });
    }
    for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`);
  };
  walk(document.paths, 'paths');
  walk(document.components, 'components');
  return missing;
}

describe('undescribedFields', () => {
  it('names a property and a parameter without a description, and accepts described ones and $refs', () => {
    const document = {
      paths: {
        '/things': {
          get: {
            parameters: [
              { in: 'query', name: 'limit', schema: { type: 'integer', description: 'items per page' } },
              { in: 'query', name: 'cursor', schema: { type: 'string' } },
            ],
            responses: {
              '200': {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        thing: { $ref: '#/components/schemas/Thing' },
                        count: { type: 'integer' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          Thing: {
            type: 'object',
            description: 'a thing',
            properties: {
              id: { type: 'string', description: 'its id' },
              owner: { anyOf: [{ $ref: '#/components/schemas/Thing' }, { type: 'null' }] },
              size: { type: 'number' },
            },
          },
        },
      },
    };
    expect(undescribedFields(document)).toEqual([
      'paths./things.get.parameters[1] (query cursor)',
      'paths./things.get.responses.200.content.application/json.schema.properties.count',
      'components.schemas.Thing.properties.size',
    ]);
  });
});

describe('the admin API document', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('openapi-descriptions');
  }, 60_000);
  afterAll(() => api?.close());

  it('describes every property of every schema and every parameter', async () => {
    const response = await api.request('GET', '/openapi.json', { key: null });
    expect(response.status).toBe(200);
    const document = response.body as Json;
    expect(Object.keys(document.paths as Json).length).toBeGreaterThan(40);
    // Joined, so a failure lists every undescribed field in full.
    expect(undescribedFields(document).join('\n')).toBe('');
  });
});
