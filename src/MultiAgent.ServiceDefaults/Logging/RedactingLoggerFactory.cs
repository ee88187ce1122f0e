using System.Collections;
using Microsoft.Extensions.Logging;
using MultiAgent.Secrets;

namespace MultiAgent.ServiceDefaults.Logging;

/// <summary>
/// A logger factory whose loggers pass every entry through the <see cref="SecretRedactor"/> before any provider sees
/// it (console, OpenTelemetry, anything added later): the formatted message, each structured value's text, scopes'
/// text, and an exception whose text holds a secret (replaced by a <see cref="RedactedException"/>). Entries without a
/// secret reach the providers unchanged.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            state is IReadOnlyList<KeyValuePair<string, object?>> values && RedactedState.Of(values, state.ToString(), redactor) is { } redacted
                ? inner.BeginScope(redacted)
                : state is string text && redactor.Finds(text)
                    ? inner.BeginScope(redactor.Redact(text)!)
                    : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, null);
            var safeException = exception is not null && redactor.Finds(exception.ToString())
                ? new RedactedException(exception, redactor)
                : exception;
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            if (RedactedState.Of(values, message, redactor) is { } redacted)
            {
                inner.Log(logLevel, eventId, redacted, safeException, static (s, _) => s.ToString());
            }
            else if (!ReferenceEquals(safeException, exception))
            {
                inner.Log(logLevel, eventId, state, safeException, (s, _) => formatter(s, exception));
            }
            else
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    /// <summary>A log entry's structured values and message with secrets masked.</summary>
    private sealed class RedactedState(IReadOnlyList<KeyValuePair<string, object?>> values, string message)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        /// <summary>The redacted copy, or null when neither the message nor any value holds a secret.</summary>
        public static RedactedState? Of(IReadOnlyList<KeyValuePair<string, object?>> values, string? message, SecretRedactor redactor)
        {
            var changed = redactor.Finds(message);
            var copy = new KeyValuePair<string, object?>[values.Count];
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                // The template is the code's own text, never a secret; values are what may carry one.
                if (key != "{OriginalFormat}" && value is not null and not ValueType && value.ToString() is { } text && redactor.Finds(text))
                {
                    copy[i] = new(key, redactor.Redact(text));
                    changed = true;
                }
                else
                {
                    copy[i] = values[i];
                }
            }

            return changed ? new RedactedState(copy, redactor.Redact(message) ?? "") : null;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}

/// <summary>Stands for an exception whose text held a secret: the same type name, message and stack trace, masked.</summary>
public sealed class RedactedException(Exception original, SecretRedactor redactor)
    : Exception($"{original.GetType().FullName}: {redactor.Redact(original.Message)}")
{
    private readonly string _text = redactor.Redact(original.ToString()) ?? "";

    /// <summary>The original exception's type (its text is not kept).</summary>
    public Type OriginalType { get; } = original.GetType();

    public override string? StackTrace => original.StackTrace;

    public override string ToString() => _text;
}
