// client.ts BASE_URL: calls the server through a client generated from
// api/openapi.json by openapi-typescript (./api.d.ts, written by the test)
// with openapi-fetch, and prints one JSON report line. It must type-check
// under tsc --strict without non-null assertions: if the document stops
// saying which fields are always there, or types a stream as JSON, this
// file no longer compiles. Run by cmd/api's TestTSClient_AgainstServer.
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

type Hit = components["schemas"]["Hit"];
type StreamFrame = components["schemas"]["QueryStreamFrame"];
type Usage = components["schemas"]["ChatUsage"];

declare const process: { argv: string[]; exitCode?: number };

function check(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

// JSON answers only: the client decodes bodies as JSON, so /query's
// text/event-stream response is left to readStream.
const client = createClient<paths, "application/json">({ baseUrl: process.argv[2] ?? "" });
const streamClient = createClient<paths>({ baseUrl: process.argv[2] ?? "" });

// The document must keep a conversation turn's fields required and top_k
// optional. (question is no longer required: a body sends it or messages,
// a rule across fields the server checks.)
// @ts-expect-error a turn needs its role
export const noRole = () => client.POST("/query", { body: { messages: [{ content: "q" }], top_k: 2 } });

// An answer's usage must stay optional: absent when the generator counts no
// tokens. (Reading it as Usage | undefined below fails if it turns nullable.)
type QueryResponse = components["schemas"]["QueryResponse"];
// @ts-expect-error usage may be absent
export const usageAlways = (r: QueryResponse): Usage => r.usage;

// readStream parses a text/event-stream body into typed frames.
async function readStream(body: ReadableStream<Uint8Array>): Promise<StreamFrame[]> {
  const text = await new Response(body).text();
  const frames: StreamFrame[] = [];
  for (const block of text.split("\n\n")) {
    let event = "";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (event === "") continue; // a ": ping" comment
    frames.push({ event, data: JSON.parse(data) } as StreamFrame);
  }
  return frames;
}

async function main(): Promise<Record<string, unknown>> {
  const search = await client.POST("/search", { body: { query: "How long is the warranty?", top_k: 3 } });
  if (search.error) throw new Error(`search: ${search.response.status} ${JSON.stringify(search.error)}`);
  const results: Hit[] = search.data.results;
  const first = results[0];
  check(first !== undefined, "search: no results");
  const score: number = first.score;
  const source: unknown = first.metadata["source"];

  const query = await client.POST("/query", { body: { question: "How long is the warranty?", top_k: 2 } });
  if (query.error) throw new Error(`query: ${query.response.status} ${JSON.stringify(query.error)}`);
  const answer: string = query.data.answer;
  const cited: string[] = query.data.sources.map((s) => s.id);
  const usage: Usage | undefined = query.data.usage;
  const rated = await client.POST("/feedback", { body: { answer_id: query.data.id, rating: "up" } });
  check(rated.data?.status === "recorded", `feedback: ${rated.response.status}`);

  const store = await client.GET("/vectorstore");
  if (store.error) throw new Error(`vectorstore: ${store.response.status}`);
  const dims: number = store.data.embedding.dims;

  const bad = await client.POST("/query", { body: { question: "", top_k: 99 } });
  check(bad.error !== undefined && bad.response.status === 422, `422: got ${bad.response.status}`);
  const detail = bad.error.detail;
  check(Array.isArray(detail), "422: detail is not a list");
  const invalid = detail.map((d) => ({ type: d.type, loc: d.loc, msg: d.msg }));

  const streamed = await streamClient.POST("/query", {
    body: { question: "How long is the warranty?", stream: true },
    parseAs: "stream",
  });
  check(streamed.response.ok && streamed.data != null, `stream: ${streamed.response.status}`);
  const frames = await readStream(streamed.data);
  let text = "";
  let done = "";
  let sources = 0;
  let doneUsage: Usage | undefined;
  for (const f of frames) {
    switch (f.event) {
      case "sources": sources = f.data.sources.length; break;
      case "delta": text += f.data.text; break;
      case "done": done = f.data.answer; doneUsage = f.data.usage; break;
      case "error": throw new Error(`stream error: ${f.data.detail}`);
    }
  }

  return {
    search: { count: results.length, ids: results.map((r) => r.id), score, source, mode: search.data.mode, top_k: search.data.top_k },
    query: { answer, cited, model: query.data.model, usage: usage ?? null },
    vectorstore: { count: store.data.count, dims, version: store.data.version, format: store.data.format },
    invalid,
    stream: { events: frames.map((f) => f.event), sources, text, done, usage: doneUsage ?? null },
  };
}

main().then(
  (report) => console.log(JSON.stringify(report)),
  (err: unknown) => {
    console.log(JSON.stringify({ error: String(err) }));
    process.exitCode = 1;
  },
);
