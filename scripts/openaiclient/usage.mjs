// usage.mjs reads token usage through the official openai client, for
// cmd/api TestOpenAIClient_Usage: on a completion, on the last chunk of a
// stream that asks for it (stream_options.include_usage), and on none of a
// stream that does not. Prints one JSON report.
// Usage: node usage.mjs <server URL> <API key>
import OpenAI from "openai";

const [url, key] = process.argv.slice(2);
const client = new OpenAI({ baseURL: url + "/v1", apiKey: key, maxRetries: 0 });
const report = {};
const messages = [{ role: "user", content: "How long is the frame covered by the warranty?" }];

// streamed reads a stream to its end and reports its text and usage.
async function streamed(extra) {
  const stream = await client.chat.completions.create({ model: "vendor0919-rag", stream: true, messages, ...extra });
  const s = { text: "", usage: null, usageChunks: 0, lastChoices: -1 };
  for await (const c of stream) {
    s.text += c.choices[0]?.delta?.content ?? "";
    if (c.usage) {
      s.usage = c.usage;
      s.usageChunks++;
    }
    s.lastChoices = c.choices.length;
  }
  return s;
}

try {
  const chat = await client.chat.completions.create({ model: "vendor0919-rag", messages });
  report.completion = { content: chat.choices[0].message.content, usage: chat.usage ?? null };
  report.withUsage = await streamed({ stream_options: { include_usage: true } });
  report.without = await streamed({});
} catch (e) {
  report.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(report));
