/** The OpenAPI 3.1 document of the service (hand-written; GET /api/openapi.json). */
export function openapi(experiments: string[]) {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'run id (also the run folder name)' };
  const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const run = { description: 'the run', content: { 'application/json': { schema: { $ref: '#/components/schemas/Run' } } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'flowsim experiment service',
      version: '1',
      description:
        'Starts flowsim experiments (the experiment CLI as child processes), follows their progress, serves their results. When the service has a token, every request needs `Authorization: Bearer <token>` (or `?token=<token>`).',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, query: { type: 'apiKey', in: 'query', name: 'token' } },
      schemas: {
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
        Status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] },
        Run: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            experiment: { type: 'string', description: 'built-in experiment, or the spec name' },
            kind: { type: 'string', enum: ['builtin', 'spec'] },
            args: { type: 'object', additionalProperties: true },
            spec: { type: 'object', additionalProperties: true },
            status: { $ref: '#/components/schemas/Status' },
            progress: { type: 'object', properties: { done: { type: 'integer' }, total: { type: ['integer', 'null'] } } },
            runDir: { type: 'string', description: 'relative to the results folder' },
            incomplete: { type: ['boolean', 'null'], description: 'the run folder is marked INCOMPLETE (null: no folder yet)' },
            pid: { type: ['integer', 'null'] },
            createdAt: { type: 'string', format: 'date-time' },
            startedAt: { type: ['string', 'null'], format: 'date-time' },
            finishedAt: { type: ['string', 'null'], format: 'date-time' },
            exitCode: { type: ['integer', 'null'] },
            error: { type: ['string', 'null'] },
            resumes: { type: 'integer' },
            manifest: { type: ['object', 'null'], description: 'manifest.json once done (GET /api/experiments/{id} only)' },
          },
        },
        CreateRun: {
          oneOf: [
            {
              type: 'object',
              required: ['experiment'],
              properties: {
                experiment: { type: 'string', enum: experiments },
                args: { type: 'object', description: 'CLI options without the dashes: {"quick": true, "seeds": 1, "bandwidth": "25,50"}; out, run-id, resume, progress, kill-after and queue are set by the service', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'number'] } }] } },
              },
            },
            { type: 'object', required: ['spec'], properties: { spec: { type: 'object', description: 'a user-defined sweep (the YAML of `npm run exp -- run <spec.yaml>`, as JSON); needs a name' }, args: { type: 'object' } } },
          ],
        },
      },
    },
    security: [{}, { bearer: [] }, { query: [] }],
    paths: {
      '/api/catalog': { get: { summary: 'the built-in experiments with their axes, metrics and plots', responses: { 200: { description: '{ experiments: [...] }' } } } },
      '/api/experiments': {
        get: { summary: 'every run, newest first', responses: { 200: { description: '{ runs: Run[] }', content: { 'application/json': { schema: { type: 'object', properties: { runs: { type: 'array', items: { $ref: '#/components/schemas/Run' } } } } } } } } },
        post: {
          summary: 'validate (with the experiment CLI itself) and queue a run',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateRun' } } } },
          responses: { 201: { description: '{ id, status }' }, 400: err('unknown experiment, bad args or spec: the message the CLI gives'), 401: err('token missing or wrong') },
        },
      },
      '/api/experiments/{id}': { get: { summary: 'a run: status, progress, manifest once done', parameters: [id], responses: { 200: run, 404: err('unknown id') } } },
      '/api/experiments/{id}/results': { get: { summary: 'the files of the run folder', parameters: [id], responses: { 200: { description: '{ files: [{ name, size, contentType, url }] }' }, 404: err('unknown id') } } },
      '/api/experiments/{id}/results/{file}': {
        get: {
          summary: 'one result file (CSV, JSON, SVG, PNG, TXT) with its content type',
          parameters: [id, { name: 'file', in: 'path', required: true, schema: { type: 'string' }, description: 'a path inside the run folder' }],
          responses: { 200: { description: 'the file' }, 400: err('the path leaves the run folder (.., absolute, symlink)'), 404: err('unknown id or file') },
        },
      },
      '/api/experiments/{id}/summary': { get: { summary: 'summary.csv parsed: { columns, rows, axes, metrics }', parameters: [id], responses: { 200: { description: 'the table' }, 404: err('unknown id or no summary yet') } } },
      '/api/experiments/{id}/cancel': { post: { summary: 'cancel a queued or running run (SIGINT; the folder stays INCOMPLETE, resumable)', parameters: [id], responses: { 200: run, 404: err('unknown id'), 409: err('not queued or running') } } },
      '/api/experiments/{id}/resume': { post: { summary: 'queue a cancelled, interrupted or failed run again; it continues with --resume', parameters: [id], responses: { 200: run, 404: err('unknown id'), 409: err('not resumable') } } },
      '/api/experiments/{id}/events': {
        get: {
          summary: 'server-sent events of one run: status, progress ({done,total,event,elapsedS}), log ({seq,ts,stream,line}); the last 200 log lines (or those after ?after=<seq>) first',
          parameters: [id],
          responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } }, 404: err('unknown id') },
        },
      },
      '/api/events': { get: { summary: 'server-sent events of every run: status and progress', responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } } } } },
      '/api/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    },
  };
}
