using System.Collections.Concurrent;
using MultiAgent.Contracts;
using MultiAgent.IntegrationTests.EndToEnd;
using NATS.Client.Core;

namespace MultiAgent.SystemBenchmarks.Soak;

/// <summary>
/// Tells the harness when its jobs end the way a user's <c>multi-agent watch</c> learns it: from the job events on the
/// bus (one subscription to every job's events), and from a look at the job's status every
/// <see cref="FallbackInterval"/> for an event missed while NATS was away (the soak kills it). The harness used to ask
/// the Repo Manager for each job's whole status four times a second, which at 16 jobs at once was 64 queries a second
/// of load on the system being measured.
/// </summary>
public sealed class JobEnds : IAsyncDisposable
{
    public static readonly TimeSpan FallbackInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _expected = new(StringComparer.Ordinal);
    private readonly INatsSub<byte[]> _events;
    private readonly Task _listening;

    private JobEnds(INatsSub<byte[]> events)
    {
        _events = events;
        _listening = Task.Run(ListenAsync);
    }

    /// <summary>Subscribes to every job's events (before any job is submitted, so that no job's end goes by unseen).</summary>
    public static async Task<JobEnds> StartAsync(INatsConnection nats) =>
        new(await nats.SubscribeCoreAsync<byte[]>(Subjects.EventsAll));

    /// <summary>Starts looking out for <paramref name="jobId"/>'s end; call it before the job is submitted.</summary>
    public void Expect(string jobId) => _expected.GetOrAdd(jobId, NewEnd);

    /// <summary>
    /// Returns once an event said that <paramref name="jobId"/> ended or <paramref name="hasEnded"/> (asked every
    /// <see cref="FallbackInterval"/>; a failed look counts as no) says so; a <see cref="TimeoutException"/> after
    /// <paramref name="patience"/>.
    /// </summary>
    public async Task WaitAsync(string jobId, Func<CancellationToken, Task<bool>> hasEnded, TimeSpan patience)
    {
        var ended = _expected.GetOrAdd(jobId, NewEnd).Task;
        using var deadline = new CancellationTokenSource(patience);
        try
        {
            while (!ended.IsCompleted)
            {
                var look = Task.Delay(FallbackInterval, deadline.Token);
                if (await Task.WhenAny(ended, look) == ended)
                {
                    break;
                }

                await look;
                if (await LookAsync(hasEnded, deadline.Token))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"job {jobId} had not ended after {patience.TotalSeconds:0} s");
        }
        finally
        {
            _expected.TryRemove(jobId, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        await _listening;
    }

    private static TaskCompletionSource NewEnd(string jobId) => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // A look that fails (NATS or the Repo Manager away) says nothing yet: the next one asks again.
    private static async Task<bool> LookAsync(Func<CancellationToken, Task<bool>> hasEnded, CancellationToken deadline)
    {
        try
        {
            return await hasEnded(deadline);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ListenAsync()
    {
        await foreach (var message in _events.Msgs.ReadAllAsync())
        {
            JobEvent jobEvent;
            try
            {
                jobEvent = MessageSerializer.DeserializeMessage<JobEvent>(message.Data ?? []);
            }
            catch (ContractViolationException)
            {
                continue;
            }

            if (ScenarioChecks.IsJobEnd(jobEvent.Type) && _expected.TryGetValue(jobEvent.JobId, out var ended))
            {
                ended.TrySetResult();
            }
        }
    }
}
