using System.Collections.Concurrent;
using System.Reflection;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace MultiAgent.IntegrationTests.Messaging;

/// <summary>
/// An <see cref="INatsJSContext"/> that forwards to a real one, except that the first create-or-update of each stream
/// and consumer fails with the error the server answers when another process created it first.
/// </summary>
public class RacingJetStream : DispatchProxy
{
    private INatsJSContext _inner = null!;
    private ApiError _error = null!;

    /// <summary>Calls of create-or-update per stream or consumer name.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public static (INatsJSContext Context, RacingJetStream Proxy) Wrap(INatsJSContext inner, ApiError error)
    {
        var context = Create<INatsJSContext, RacingJetStream>();
        var proxy = (RacingJetStream)(object)context;
        proxy._inner = inner;
        proxy._error = error;
        return (context, proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var name = targetMethod.Name switch
        {
            nameof(INatsJSContext.CreateOrUpdateStreamAsync) => ((StreamConfig)args![0]!).Name,
            nameof(INatsJSContext.CreateOrUpdateConsumerAsync) => ((ConsumerConfig)args![1]!).DurableName,
            _ => null,
        };
        if (name is not null && Calls.AddOrUpdate(name, 1, (_, n) => n + 1) == 1)
        {
            var error = new NatsJSApiException(_error);
            return targetMethod.Name == nameof(INatsJSContext.CreateOrUpdateStreamAsync)
                ? ValueTask.FromException<INatsJSStream>(error)
                : ValueTask.FromException<INatsJSConsumer>(error);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }
}
