using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using MultiAgent.Contracts;
using MultiAgent.Secrets;

namespace MultiAgent.Llm;

/// <summary>
/// The LLM side of one task: a chat client whose calls are counted (<see cref="Usage"/>) and recorded in the
/// task's transcript, plus the tool results the caller records. Start one per task with
/// <see cref="LlmSessionFactory.Start"/>, read <see cref="Usage"/> at the end, and <see cref="FlushAsync"/> (or
/// dispose) so that the last entries are stored. Model calls store the transcript as they go; tool results are
/// stored with the next call or flush.
/// </summary>
public sealed partial class LlmSession : IAsyncDisposable
{
    private readonly LlmTranscript _transcript;
    private readonly ILogger _logger;

    internal LlmSession(AgentType agent, LlmOptions options, IChatClient client, LlmUsage usage, LlmTranscript transcript, ILogger logger)
    {
        Agent = agent;
        Options = options;
        Client = client;
        Usage = usage;
        _transcript = transcript;
        _logger = logger;
    }

    /// <summary>The agent whose options the session uses.</summary>
    public AgentType Agent { get; }

    /// <summary>The task.</summary>
    public string TaskId => _transcript.TaskId;

    /// <summary>The task's job.</summary>
    public string JobId => _transcript.JobId;

    /// <summary>The options in effect (a copy; its ToString masks the key).</summary>
    public LlmOptions Options { get; }

    /// <summary>The chat client to call the model with. Failures surface as the runtime's task exceptions.</summary>
    public IChatClient Client { get; }

    /// <summary>Tokens used so far, and their estimated cost.</summary>
    public LlmUsage Usage { get; }

    /// <summary>
    /// <paramref name="usage"/> with its estimated cost by the session's prices; unchanged when none are configured.
    /// </summary>
    public TokenUsage Priced(TokenUsage usage) => Usage.Priced(usage);

    /// <summary>Transcript entries not stored yet.</summary>
    public int PendingTranscriptEntries => _transcript.PendingCount;

    /// <summary>Records the result of a tool the model called, in the transcript (redacted like everything in it).</summary>
    /// <param name="name">The tool (function) name.</param>
    /// <param name="arguments">The arguments it was called with (e.g. <c>FunctionCallContent.Arguments</c>).</param>
    /// <param name="result">What it returned, or the error it reported.</param>
    /// <param name="succeeded">Whether it succeeded.</param>
    /// <param name="callId">The model's call id, to pair the result with the call.</param>
    public void RecordToolResult(
        string name, IEnumerable<KeyValuePair<string, object?>>? arguments, object? result, bool succeeded, string? callId = null) =>
        _transcript.RecordToolResult(name, arguments, result, succeeded, callId);

    /// <summary>Stores the transcript entries not stored yet. Throws if the database does; they stay pending then.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _transcript.FlushAsync(cancellationToken);

    /// <summary>Flushes what is left, logging (not throwing) a failure, and releases the client.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transcript.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFlushFailed(TaskId, _transcript.PendingCount, ex);
        }

        Client.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM transcript of task {TaskId} lost {Pending} entries that could not be stored")]
    private partial void LogFlushFailed(string taskId, int pending, Exception exception);
}

/// <summary>Starts <see cref="LlmSession"/>s: one per task, with the agent's options.</summary>
public sealed class LlmSessionFactory(
    ChatClientFactory clients, TranscriptStore transcripts, SecretRedactor redactor, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
{
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// A session for one task of <paramref name="agent"/>; with a <paramref name="budget"/>, its calls are refused once
    /// <paramref name="spent"/> (the job's usage when the task was sent) plus the session's own usage reaches it.
    /// </summary>
    /// <exception cref="LlmConfigurationException">The agent's LLM settings are missing or wrong.</exception>
    public LlmSession Start(AgentType agent, string taskId, string jobId, JobBudget? budget = null, TokenUsage? spent = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var options = clients.OptionsFor(agent);
        var usage = new LlmUsage(options.Prices);
        var transcript = new LlmTranscript(taskId, jobId, transcripts, redactor, _time);
        var client = clients.Create(agent, usage, transcript, budget, spent);
        return new LlmSession(agent, options, client, usage, transcript, _loggerFactory.CreateLogger<LlmSession>());
    }
}
