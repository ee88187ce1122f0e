using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using MultiAgent.Secrets;

namespace MultiAgent.Llm;

/// <summary>
/// A task's transcript while it runs: entries are kept in order, redacted, and written to the
/// <see cref="TranscriptStore"/> by <see cref="FlushAsync"/> (only what was not written yet). Thread-safe.
/// </summary>
/// <remarks>
/// A model call's entry holds only the request messages that are new since the previous call: an agent's loop
/// resends the whole conversation every time, and storing it again each call would grow the transcript with the
/// square of its length. <c>contextMessages</c> says how many leading messages of the request were the previous
/// call's request and response.
/// </remarks>
internal sealed class LlmTranscript(string taskId, string jobId, TranscriptStore store, SecretRedactor redactor, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<TranscriptItem> _pending = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private List<string> _conversation = [];

    public string TaskId => taskId;

    public string JobId => jobId;

    /// <summary>Entries recorded but not stored yet.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    public void RecordModelCall(
        IReadOnlyList<ChatMessage> request, ChatOptions? options, bool streaming, ChatResponse? response, TimeSpan duration, Exception? error)
    {
        var requestJson = request.Select(m => TranscriptJson.Message(m).ToJsonString()).ToList();
        int context;
        lock (_lock)
        {
            context = 0;
            while (context < requestJson.Count && context < _conversation.Count && requestJson[context] == _conversation[context])
            {
                context++;
            }

            _conversation = response is null
                ? requestJson
                : [.. requestJson, .. response.Messages.Select(m => TranscriptJson.Message(m).ToJsonString())];
        }

        var entry = TranscriptJson.Options(options, streaming);
        entry["contextMessages"] = context;
        entry["messages"] = new JsonArray([.. requestJson.Skip(context).Select(json => JsonNode.Parse(json))]);
        if (response is not null)
        {
            entry["response"] = TranscriptJson.Response(response);
            entry["usage"] = TranscriptJson.Usage(response.Usage);
        }

        entry["durationMs"] = Math.Round(duration.TotalMilliseconds, 1);
        if (error is not null)
        {
            entry["error"] = new JsonObject { ["type"] = error.GetType().Name, ["message"] = error.Message };
        }

        Add(TranscriptKinds.ModelCall, entry);
    }

    public void RecordToolResult(
        string name, IEnumerable<KeyValuePair<string, object?>>? arguments, object? result, bool succeeded, string? callId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Add(TranscriptKinds.ToolResult, new JsonObject
        {
            ["name"] = name,
            ["callId"] = callId,
            ["arguments"] = TranscriptJson.Arguments(arguments),
            ["succeeded"] = succeeded,
            ["result"] = TranscriptJson.Value(result),
        });
    }

    /// <summary>Stores the entries recorded since the last flush. On failure they stay pending for the next one.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<TranscriptItem> batch;
            lock (_lock)
            {
                batch = [.. _pending];
            }

            if (batch.Count == 0)
            {
                return;
            }

            await store.AppendAsync(taskId, jobId, batch, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _pending.RemoveRange(0, batch.Count);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void Add(string kind, JsonObject entry)
    {
        var content = TranscriptJson.Sanitize(entry, redactor)!.ToJsonString();
        var item = new TranscriptItem(kind, content, time.GetUtcNow());
        lock (_lock)
        {
            _pending.Add(item);
        }
    }
}
