namespace MultiAgent.IntegrationTests.Fakes.OpenAI;

/// <summary>Where <see cref="FakeOpenAIServer"/> takes the answer to a request from.</summary>
public interface IReplySource
{
    /// <summary>The answer to <paramref name="request"/>; cancelled when the client hangs up.</summary>
    Task<FakeReply> NextAsync(RecordedRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Scripted replies in order, for one client (a test's model) or one agent of one scenario. A <see cref="FakeGate"/>
/// in the script holds the request that reaches it until the test releases the gate; that request then gets the next
/// reply. A request whose client gives up while it waits leaves the gate in place, so a retry waits at it again.
/// Every request the script is asked to answer is recorded (<see cref="Requests"/>).
/// </summary>
public sealed class ReplyScript : IReplySource
{
    /// <summary>The error message of a request that found the script empty.</summary>
    public const string UnscriptedMessage = "fake: no scripted reply left for this request";

    private readonly Lock _lock = new();
    private readonly LinkedList<FakeReply> _replies = new();
    private readonly List<RecordedRequest> _requests = [];

    /// <summary>Replies (and gates) not used yet.</summary>
    public int Remaining
    {
        get
        {
            lock (_lock)
            {
                return _replies.Count;
            }
        }
    }

    /// <summary>The requests this script was asked to answer, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Adds replies (and gates) to the end of the script.</summary>
    public ReplyScript Enqueue(params FakeReply[] replies)
    {
        lock (_lock)
        {
            foreach (var reply in replies)
            {
                _replies.AddLast(reply);
            }
        }

        return this;
    }

    /// <summary>The next reply for <paramref name="request"/> (passing any gates first), or null when none is left.</summary>
    public async Task<FakeReply?> TryNextAsync(RecordedRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _requests.Add(request);
        }

        while (true)
        {
            FakeReply? head;
            lock (_lock)
            {
                head = _replies.First?.Value;
                if (head is not FakeGate)
                {
                    if (head is not null)
                    {
                        _replies.RemoveFirst();
                    }

                    return head;
                }
            }

            var gate = (FakeGate)head;
            await gate.PassAsync(cancellationToken);
            lock (_lock)
            {
                if (ReferenceEquals(_replies.First?.Value, gate))
                {
                    _replies.RemoveFirst();
                }
            }
        }
    }

    public async Task<FakeReply> NextAsync(RecordedRequest request, CancellationToken cancellationToken) =>
        await TryNextAsync(request, cancellationToken) ?? Fault.Status(500, Fault.ErrorBody(UnscriptedMessage, "fake_error"));
}

/// <summary>
/// A pause in a <see cref="ReplyScript"/>: the request that reaches it waits until <see cref="Release"/>, so a test can act
/// while an agent is in the middle of its task. Keep it shut for less than the client's request timeout, or the client
/// retries (and waits at the gate again).
/// </summary>
public sealed record FakeGate : FakeReply
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a request first waits at the gate.</summary>
    public Task Reached => _reached.Task;

    private int _waiting;

    // Requests that reached the gate before this moment (a Stopwatch timestamp) stay held after the release.
    private long _admitFrom;

    public bool IsReleased => _released.Task.IsCompleted;

    /// <summary>How many requests wait at the gate now (a request whose client hung up no longer does).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Lets the waiting request (and every later one) through.</summary>
    public void Release()
    {
        Volatile.Write(ref _admitFrom, long.MinValue);
        _released.TrySetResult();
    }

    /// <summary>
    /// Lets through only requests that reach the gate from now on; one waiting now stays held until its client hangs up
    /// (then it takes no reply). For a gate held longer than the client's request timeout: the request waiting now may
    /// be about to time out, and a reply it took would be lost with it (the client's retry then gets the reply after).
    /// </summary>
    public void ReleaseForNextRequest()
    {
        Volatile.Write(ref _admitFrom, System.Diagnostics.Stopwatch.GetTimestamp());
        _released.TrySetResult();
    }

    /// <summary>Waits until a request waits at the gate, or throws after <paramref name="timeout"/>.</summary>
    public async Task WhenReachedAsync(TimeSpan timeout)
    {
        try
        {
            await Reached.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No request reached the gate within {timeout.TotalSeconds:0}s.");
        }
    }

    internal async Task PassAsync(CancellationToken cancellationToken)
    {
        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _waiting);
        _reached.TrySetResult();
        try
        {
            await _released.Task.WaitAsync(cancellationToken);
            if (arrived < Volatile.Read(ref _admitFrom))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
