using System.Net.Sockets;
using MultiAgent.Messaging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace MultiAgent.Cli.Connection;

/// <summary>A connection to NATS for one command, with the query client on it.</summary>
internal sealed class NatsSession : IAsyncDisposable
{
    private static readonly TimeSpan DisposeLimit = TimeSpan.FromSeconds(2);

    private readonly ConnectFailureLog _log;

    private NatsSession(NatsConnection connection, NatsSettings settings, ConnectFailureLog log)
    {
        _log = log;
        Connection = connection;
        Settings = settings;
        Queries = new QueryClient(connection, settings.Timeout);
        JetStream = new NatsJSContext(connection);
    }

    public NatsConnection Connection { get; }

    public NatsSettings Settings { get; }

    public QueryClient Queries { get; }

    public INatsJSContext JetStream { get; }

    /// <summary>Connects within <see cref="NatsSettings.Timeout"/>.</summary>
    /// <exception cref="CliException">NATS cannot be reached or refused the connection (exit code 1), with a message that says why.</exception>
    public static async Task<NatsSession> ConnectAsync(NatsSettings settings, CancellationToken cancellationToken)
    {
        var log = new ConnectFailureLog();
        var connection = new NatsConnection(settings.Options with { LoggerFactory = log });
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(settings.Timeout, cancellationToken);
            return new NatsSession(connection, settings, log);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(connection);
            throw CliException.Failed(settings.Redactor.Redact(Describe(ex, log.LastException, settings)) ?? "");
        }
        catch
        {
            await DisposeQuietlyAsync(connection);
            throw;
        }
    }

    /// <summary>
    /// Why the server refused something this session sent, in the user's terms, or null: a request or publish the user
    /// may not make is dropped by the server (so it looks like no answer) and reported only as a protocol error.
    /// </summary>
    public string? DescribeRefusal()
    {
        if (_log.LastPermissionViolation is not { } violation)
        {
            return null;
        }

        var user = Settings.Options.AuthOpts.Username is { Length: > 0 } name ? $"user '{name}'" : "these credentials";
        return $"NATS at {Settings.DisplayUrl} refused it: {violation} — {user} may not do this " +
               "(the viewer may only look; use the operator's credentials, e.g. --config <DataRoot>/cli/operator.json)";
    }

    public ValueTask DisposeAsync() => new(DisposeQuietlyAsync(Connection));

    /// <summary>Why the connection failed, in the user's terms.</summary>
    internal static string Describe(Exception exception, Exception? logged, NatsSettings settings)
    {
        var url = settings.DisplayUrl;
        var hint = "is the AppHost running? (./build.sh run)";
        var chain = Chain(exception).Concat(logged is null ? [] : Chain(logged)).ToList();
        if (chain.OfType<NatsServerException>().FirstOrDefault() is { } server)
        {
            var error = server.Error ?? server.Message;
            return error.Contains("authorization", StringComparison.OrdinalIgnoreCase) || error.Contains("authentication", StringComparison.OrdinalIgnoreCase)
                ? $"NATS at {url} refused the credentials ({error.Trim().Trim('\'').ToLowerInvariant()}): check the user and password, token or creds file"
                : $"NATS at {url} refused the connection ({error.Trim()})";
        }

        var reason = chain.OfType<SocketException>().FirstOrDefault() is { } socket
            ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
                SocketError.TimedOut => "timed out",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown => "host unreachable",
                _ => socket.Message,
            }
            : chain.Any(e => e is TimeoutException or OperationCanceledException)
                ? $"no answer within {settings.Timeout.TotalSeconds:0.#}s"
                : exception.Message;
        if (settings.Options.AuthOpts.CredsFile is not null
            && chain.Any(e => e is IOException or UnauthorizedAccessException or FormatException || e.Message.Contains("creds", StringComparison.OrdinalIgnoreCase)))
        {
            hint = "check the creds file";
        }

        return $"cannot reach NATS at {url} ({reason}) — {hint}";
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    private static async Task DisposeQuietlyAsync(NatsConnection connection)
    {
        try
        {
            await connection.DisposeAsync().AsTask().WaitAsync(DisposeLimit);
        }
        catch (Exception ex) when (ex is TimeoutException or NatsException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing is best effort: the process is about to end.
        }
    }
}
