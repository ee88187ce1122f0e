using Microsoft.Extensions.Logging;

namespace MultiAgent.Cli.Connection;

/// <summary>
/// A logger factory for the NATS client that prints nothing and remembers the last warning or error with an exception.
/// The client throws "can not connect uris" without a cause on a failed first connect; the cause (connection refused,
/// host not found, authorization violation) is only logged, and this is where the CLI finds it.
/// </summary>
internal sealed class ConnectFailureLog : ILoggerFactory, ILogger
{
    private volatile Exception? _lastException;

    public Exception? LastException => _lastException;

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
        if (exception is not null && IsEnabled(logLevel))
        {
            _lastException = exception;
        }
    }
}
