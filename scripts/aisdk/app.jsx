// A minimal chat page as a Next.js frontend would write it with the
// Vercel AI SDK: useChat with DefaultChatTransport pointed at the API's
// POST /chat, credentials included. cmd/api TestAISDK_Browser bundles it
// with esbuild, serves it from another origin than the API and drives it
// in Chromium. The page takes ?api=<API origin>&key=<API key>.
import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport } from "ai";
import { useState } from "react";
import { createRoot } from "react-dom/client";

const params = new URLSearchParams(window.location.search);
const transport = new DefaultChatTransport({
  api: params.get("api") + "/chat",
  credentials: "include",
  headers: params.get("key") ? { Authorization: "Bearer " + params.get("key") } : undefined,
});

function Part({ part }) {
  switch (part.type) {
    case "text":
      return <p className="text">{part.text}</p>;
    case "source-url":
      return (
        <a className="source" data-kind="url" data-source-id={part.sourceId} href={part.url}>
          {part.title ?? part.url}
        </a>
      );
    case "source-document":
      return (
        <span className="source" data-kind="document" data-source-id={part.sourceId}>
          {part.title}
        </span>
      );
    default:
      return null;
  }
}

// Usage shows the token counts POST /chat sends on its finish part as
// messageMetadata.usage (the AI SDK's LanguageModelUsage), which useChat
// keeps as message.metadata; nothing when the server counted none.
function Usage({ usage }) {
  if (!usage) return null;
  return (
    <span
      className="usage"
      data-input={usage.inputTokens}
      data-output={usage.outputTokens}
      data-total={usage.totalTokens}
    >
      {usage.totalTokens} tokens
    </span>
  );
}

function App() {
  const { messages, sendMessage, status, error } = useChat({ transport });
  const [input, setInput] = useState("");
  return (
    <main>
      <ol id="messages">
        {messages.map((m) => (
          <li key={m.id} className="message" data-role={m.role} data-id={m.id}>
            {m.parts.map((p, i) => (
              <Part key={i} part={p} />
            ))}
            <Usage usage={m.metadata?.usage} />
          </li>
        ))}
      </ol>
      <div id="status" data-status={status}>{status}</div>
      {error && <div id="error">{error.message}</div>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          sendMessage({ text: input });
          setInput("");
        }}
      >
        <input id="question" value={input} onChange={(e) => setInput(e.target.value)} />
        <button id="send" type="submit" disabled={status !== "ready"}>
          Send
        </button>
      </form>
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
