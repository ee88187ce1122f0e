using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace MultiAgent.Llm;

/// <summary>
/// Records every model call of a session in its transcript (request, effective options, response or error,
/// usage, duration) and stores it right after the call, so that a crashed task still leaves its trajectory. A
/// transcript that cannot be stored is logged and kept for the next flush; it never fails the call.
/// </summary>
internal sealed partial class TranscriptChatClient(IChatClient innerClient, LlmTranscript transcript, TimeProvider time, ILogger logger)
    : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var started = time.GetTimestamp();
        ChatResponse? response = null;
        Exception? error = null;
        try
        {
            response = await base.GetResponseAsync(request, options, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            await RecordAsync(request, options, streaming: false, response, time.GetElapsedTime(started), error, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var started = time.GetTimestamp();
        var updates = new List<ChatResponseUpdate>();
        Exception? error = null;
        var stream = base.GetStreamingResponseAsync(request, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    error = ex;
                    throw;
                }

                updates.Add(stream.Current);
                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            var response = error is null || updates.Count > 0 ? updates.ToChatResponse() : null;
            await RecordAsync(request, options, streaming: true, response, time.GetElapsedTime(started), error, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RecordAsync(
        IReadOnlyList<ChatMessage> request, ChatOptions? options, bool streaming, ChatResponse? response, TimeSpan duration,
        Exception? error, CancellationToken cancellationToken)
    {
        try
        {
            transcript.RecordModelCall(request, options, streaming, response, duration, error);
            await transcript.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up; the entry stays pending for the session's FlushAsync.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogNotStored(transcript.TaskId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM transcript of task {TaskId} could not be stored now; it is kept for the next flush")]
    private partial void LogNotStored(string taskId, Exception exception);
}
