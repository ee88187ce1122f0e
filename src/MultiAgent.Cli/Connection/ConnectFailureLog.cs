using Microsoft.Extensions.Logging;

namespace MultiAgent.Cli.Connection;

/// <summary>
/// A logger factory for the NATS client that prints nothing and remembers the last warning or error with an exception.
/// The client throws "can not connect uris" without a cause on a failed first connect; the cause (connection refused,
/// host not found, authorization violation) is only logged, and this is where the CLI finds it. Likewise a request the
/// user may not send is dropped by the server, which says so only in a protocol error the client logs
/// (<c>Permissions Violation for Publish to "…"</c>): the last one is kept too.
/// </summary>
internal sealed class ConnectFailureLog : ILoggerFactory, ILogger
{
    private volatile Exception? _lastException;

    private volatile string? _lastPermissionViolation;

    public Exception? LastException => _lastException;

    /// <summary>The server's last "Permissions Violation for …" error on this connection, or null.</summary>
    public string? LastPermissionViolation => _lastPermissionViolation;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        if (exception is not null)
        {
            _lastException = exception;
        }

        var message = formatter(state, exception);
        var violation = message.IndexOf("Permissions Violation", StringComparison.OrdinalIgnoreCase);
        if (violation >= 0)
        {
            _lastPermissionViolation = message[violation..].Trim().Trim('\'');
        }
    }
}
