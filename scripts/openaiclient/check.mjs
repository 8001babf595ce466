// check.mjs drives the OpenAI-compatible routes with the official openai
// client and prints one JSON report for cmd/api TestOpenAIClient_AgainstServer.
// Usage: node check.mjs <server URL> <API key>
import OpenAI, { AuthenticationError, NotFoundError, UnprocessableEntityError } from "openai";

const [url, key] = process.argv.slice(2);
const baseURL = url + "/v1";
const client = new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });
const report = {};

// caught describes an error the client raised, as the caller sees it.
function caught(e, cls) {
  return { typed: e instanceof cls, name: e.constructor.name, status: e.status, code: e.code, type: e.type, param: e.param ?? null };
}

try {
  const chat = await client.chat.completions.create({
    model: "vendor0919-rag",
    messages: [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "How long is the frame covered by the warranty?" },
    ],
  });
  report.chat = {
    id: chat.id,
    object: chat.object,
    content: chat.choices[0].message.content,
    finish: chat.choices[0].finish_reason,
    sources: chat.sources.map((s) => s.id),
  };

  // A follow-up, streamed, with the first answer as history.
  const stream = await client.chat.completions.create({
    model: "vendor0919-rag",
    stream: true,
    messages: [
      { role: "user", content: "How long is the frame covered by the warranty?" },
      { role: "assistant", content: chat.choices[0].message.content },
      { role: "user", content: [{ type: "text", text: "How long does a full charge take?" }] },
    ],
  });
  const s = { chunks: 0, ids: [], text: "", sources: null, finish: null };
  for await (const c of stream) {
    s.chunks++;
    if (!s.ids.includes(c.id)) s.ids.push(c.id);
    if (c.sources) s.sources = c.sources.map((h) => h.id);
    s.text += c.choices[0]?.delta?.content ?? "";
    s.finish = c.choices[0]?.finish_reason ?? s.finish;
  }
  report.stream = s;

  report.models = (await client.models.list()).data.map((m) => m.id);
  report.model = (await client.models.retrieve("vendor0919-rag")).id;
  try {
    await client.models.retrieve("gpt-4o");
  } catch (e) {
    report.unknownRetrieve = caught(e, NotFoundError);
  }

  // The client asks for base64 by default and decodes it; float is asked for.
  const emb = await client.embeddings.create({ model: "hash-v1", input: ["battery", "charger"] });
  const embFloat = await client.embeddings.create({ model: "hash-v1", input: ["battery", "charger"], encoding_format: "float" });
  report.embeddings = {
    base64: emb.data.map((d) => Array.from(d.embedding)),
    float: embFloat.data.map((d) => d.embedding),
    // CreateEmbeddingResponse declares usage required; the client's types
    // promise it to callers.
    promptTokens: emb.usage.prompt_tokens,
    totalTokens: emb.usage.total_tokens,
  };

  try {
    await new OpenAI({ baseURL, apiKey: "wrong-key", maxRetries: 0 }).models.list();
  } catch (e) {
    report.unauthorized = caught(e, AuthenticationError);
  }
  try {
    await client.chat.completions.create({ model: "vendor0919-rag", messages: [{ role: "assistant", content: "hi" }] });
  } catch (e) {
    report.invalid = caught(e, UnprocessableEntityError);
  }
  try {
    await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
  } catch (e) {
    report.unknownModel = caught(e, NotFoundError);
  }
} catch (e) {
  report.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(report));
